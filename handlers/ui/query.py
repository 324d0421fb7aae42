"""The message a pressed button sits on, and the record it names."""

from __future__ import annotations

from contextlib import suppress
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError

T = TypeVar("T")


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


async def show_choices(query: CallbackQuery, keyboard: InlineKeyboardMarkup) -> None:
    """Answer a press and show `keyboard` under the same question (a picker's ‹ ›, a toggle).
    Usage: ``await show_choices(query, await _units(session, offset))``."""
    await query.answer()
    await message_of(query).edit_reply_markup(reply_markup=keyboard)


async def show_page(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None, said: str | None = None
) -> None:
    """Answer a press (with `said`, when given) and edit its message into `text` and `keyboard`:
    a screen shown in place. Usage: ``await show_page(query, *await _inbox(ctx))``."""
    await query.answer(said)
    await message_of(query).edit_text(text, reply_markup=keyboard)


async def edit_in_place(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit the pressed message into `text` and `keyboard`, where pressing again may change
    nothing (a refresh, a double tap): Telegram's "message is not modified" is let pass."""
    with suppress(TelegramBadRequest):
        await message_of(query).edit_text(text, reply_markup=keyboard)


async def pressed_record(session: AsyncSession, model: type[T], record_id: int) -> T:
    """The row a button names; one that is gone is refused as a stale button."""
    record = await session.get(model, record_id)
    if record is None:
        raise ServiceError("fallback.stale_button")
    return record
