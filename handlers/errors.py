"""The one home for errors: log with context, tell the person in their language.

A service refuses by raising `ServiceError(key, **values)`; the handler lets it through, the
update's unit of work rolls back, and this handler answers: an alert for a button, a message for
text. A refusal of typed text (`AskAgain`) is followed by the step's question. When the button
can no longer take an answer (the handler already answered it, it is too old, or the text is too
long for an alert), the same text is sent as a message instead, so the person always reads one
clear message.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.errors import ServiceError
from handlers.register_ui import ask
from handlers.ui.steps import AskAgain, StepOver

router = Router(name=__name__)
log = logging.getLogger("qingfeng.errors")


async def on_error(event: ErrorEvent, state: FSMContext | None = None, **data: Any) -> bool:
    update = event.update
    if isinstance(event.exception, ServiceError):
        text = _(event.exception.key).format(**event.exception.values)
        if isinstance(event.exception, StepOver) and state is not None:
            await state.clear()  # outside the rolled-back unit of work: it stays cleared
    else:
        log.error(
            "update %s failed: type=%s person=%s",
            update.update_id,
            update.event_type,
            data.get("person_id"),
            exc_info=event.exception,
        )
        text = _("errors.unexpected")
    if update.callback_query is not None:
        await answer_pressed(update.callback_query, text)
    elif update.message is not None:
        await answer_typed(
            update.message, state, text, again=isinstance(event.exception, AskAgain)
        )
    return True


async def answer_typed(
    message: Message, state: FSMContext | None, text: str, *, again: bool
) -> None:
    """A message; for a refusal of what was typed, followed by the step's question again
    (unless the question itself cannot be asked, its data being gone: then the step ends)."""
    if again and state is not None:
        try:
            if await ask(message, state, prefix=text):
                return
        except StepOver as over:
            await state.clear()
            text = text + "\n\n" + _(over.key).format(**over.values)
    await message.answer(text)


async def answer_pressed(query: CallbackQuery, text: str) -> None:
    """An alert on the button; a message in the chat when the button takes no answer any more."""
    try:
        await query.answer(text, show_alert=True)
        return
    except TelegramBadRequest:
        pass  # already answered, too old, or too long for an alert: say it in the chat
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    if query.bot is not None:
        await query.bot.send_message(chat_id, text)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
