"""The message a pressed button sits on."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, Message

from bot.domain.errors import ServiceError


def message_of(query: CallbackQuery) -> Message:
    """The pressed button's message, or a refusal as a stale button.

    Telegram sends an `InaccessibleMessage` (or none, for inline messages) when the message is
    too old to edit; such a press is answered like any stale button. Usage::

        async def open_risk(query: CallbackQuery, ...) -> None:
            await message_of(query).answer(text, reply_markup=keyboard)
    """
    message = query.message
    if not isinstance(message, Message):
        raise ServiceError("fallback.stale_button")
    return message


def bot_of(event: Message | CallbackQuery) -> Bot:
    """The bot an update came through (aiogram sets it on every update it feeds)."""
    if event.bot is None:
        raise RuntimeError("an update without its bot")
    return event.bot
