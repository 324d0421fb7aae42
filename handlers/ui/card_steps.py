"""A card that asks: a card's button that needs typed text turns the card's message into the
question, and the typed answer later edits that same message (or drops its button).

Usage::

    async def ask_reason(query: CallbackQuery, callback_data: ThingCb, state: FSMContext) -> None:
        await ask_on_card(query, state, ThingFlow.reason, _("things.ask_reason"), back, thing=id)

    async def receive_reason(message: Message, state: FSMContext, bot: Bot) -> None:
        data = await state.get_data()
        ...
        await drop_card_keyboard(bot, data)   # or: where = card_of(data)

Also `next_after`, the card after the one shown in a queue of ids (reviewer inboxes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from handlers.ui.query import message_of


async def ask_on_card(
    query: CallbackQuery,
    state: FSMContext,
    step: State,
    question: str,
    keyboard: InlineKeyboardMarkup,
    **data: Any,
) -> None:
    """Answer the press, move to `step` keeping `data` and where the card is, and edit the
    card's message into `question` with `keyboard`."""
    await query.answer()
    await state.set_state(step)
    message = query.message
    await state.update_data(
        **data,
        card_chat=message.chat.id if message else None,
        card_message=message.message_id if message else None,
    )
    await message_of(query).edit_text(question, reply_markup=keyboard)


def card_of(data: Mapping[str, Any]) -> tuple[int, int] | None:
    """The chat and message id of the card that asked (`ask_on_card`), if known."""
    if data.get("card_chat") and data.get("card_message"):
        return int(data["card_chat"]), int(data["card_message"])
    return None


async def drop_card_keyboard(bot: Bot, data: Mapping[str, Any]) -> None:
    """The question keeps its text and loses its button (it was answered by typing)."""
    where = card_of(data)
    if where is None:
        return
    with suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(
            chat_id=where[0], message_id=where[1], reply_markup=None
        )


def next_after(ids: Sequence[int], after: int) -> int | None:
    """The first id after `after` in the queue, else the queue's first (it wraps); None when
    the queue is empty."""
    candidates = [i for i in ids if i > after] or ids
    return candidates[0] if candidates else None
