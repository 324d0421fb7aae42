"""The typed steps of the /feedback inbox: an answer, the code of the item this one
duplicates, the reason for hiding, and the commission's disposition (a follow-up date for
整改, a reason for closing). The press is checked at once (a stale or foreign button is told
why before anything is typed), and again by the service when the text arrives; the card
message is then edited into the next item.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.feedback import Action, Disposition
from bot.services.feedback import answering
from bot.settings import Settings
from handlers.callbacks import InboxAction, InboxCb
from handlers.register_ui import refusal
from handlers.reviewer.feedback_ui import DISPOSITIONS, fb_config, inbox_view
from handlers.ui.query import message_of
from storage.models.org import Person

# Refusals of the typed text itself: the prompt stays and the reviewer types again.
RETRY_KEYS = frozenset(
    {
        "feedback.reason_required",
        "feedback.reason_too_long",
        "feedback.duplicate_of_unknown",
        "feedback.follow_up_required",
        "feedback.bad_date",
    }
)
PROMPTS = {
    "answer": "feedback.inbox.ask_answer",
    "duplicate": "feedback.inbox.ask_duplicate",
    "hide": "feedback.inbox.ask_hide",
    "rectify": "feedback.inbox.ask_follow_up",
    "closed": "feedback.inbox.ask_close_reason",
}
DONE = {
    "answer": "feedback.inbox.done_answered",
    "duplicate": "feedback.inbox.done_duplicate",
    "hide": "feedback.inbox.done_hidden",
    "rectify": "feedback.inbox.done_disposed",
    "closed": "feedback.inbox.done_disposed",
    "interview": "feedback.inbox.done_disposed",
}
CHECKED = {"answer": Action.ANSWER, "duplicate": Action.MARK_DUPLICATE, "hide": Action.HIDE}


class ReplyFlow(StatesGroup):
    text = State()


async def _ask(query: CallbackQuery, state: FSMContext, what: str, callback_data: InboxCb) -> None:
    message = query.message
    await state.set_state(ReplyFlow.text)
    await state.update_data(
        what=what,
        feedback=callback_data.feedback_id,
        version=callback_data.version,
        chat=message.chat.id if message else None,
        msg=message.message_id if message else None,
    )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("feedback.btn.back"),
        callback_data=InboxCb(action=InboxAction.OPEN, feedback_id=callback_data.feedback_id),
    )
    await query.answer()
    await message_of(query).edit_text(_(PROMPTS[what]), reply_markup=builder.as_markup())


def _asker(what: str) -> Any:
    async def ask(
        query: CallbackQuery,
        callback_data: InboxCb,
        state: FSMContext,
        session: AsyncSession,
        person: Person,
    ) -> None:
        await answering.check_may(
            session, person, callback_data.feedback_id, CHECKED[what], callback_data.version
        )
        await _ask(query, state, what, callback_data)

    ask.__name__ = ask.__qualname__ = f"ask_{what}"
    return ask


async def choose_disposition(
    query: CallbackQuery,
    callback_data: InboxCb,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    if not 0 <= callback_data.value < len(DISPOSITIONS):
        raise ServiceError("feedback.flow.stale")
    card = await answering.card(session, person, callback_data.feedback_id)
    if not card.can_dispose or card.version != callback_data.version:
        raise ServiceError("feedback.stale")
    disposition = DISPOSITIONS[callback_data.value]
    if disposition is not Disposition.INTERVIEW:
        await _ask(query, state, disposition.value, callback_data)
        return
    await answering.dispose(
        session, clock, fb_config(settings), person, feedback_id=card.feedback_id,
        disposition=disposition, expected_version=callback_data.version,
    )  # fmt: skip
    await query.answer()
    card_message = query.message if isinstance(query.message, Message) else None
    await _after(bot, session, settings, person, card_message, "interview", card.feedback_id, None)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError("feedback.bad_date") from None


async def _apply(
    what: str,
    text: str,
    data: dict[str, Any],
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    config = fb_config(settings)
    common: dict[str, Any] = {
        "feedback_id": int(data["feedback"]),
        "expected_version": data.get("version"),
    }
    if what == "answer":
        await answering.answer(session, clock, config, person, text=text, **common)
    elif what == "duplicate":
        await answering.mark_duplicate(session, clock, config, person, of_code=text, **common)
    elif what == "hide":
        await answering.hide(session, clock, config, person, reason=text, **common)
    elif what == "rectify":
        await answering.dispose(
            session, clock, config, person, disposition=Disposition.RECTIFY,
            follow_up_on=_parse_date(text), **common,
        )  # fmt: skip
    elif what == "closed":
        await answering.dispose(
            session, clock, config, person, disposition=Disposition.CLOSED, note=text, **common
        )


async def receive_text(
    message: Message,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    data = await state.get_data()
    what = str(data.get("what"))
    # The step ends before the write (SQLite: the FSM's connection can't write while this
    # transaction holds the lock); refusals come before any write, so a retry is put back.
    await state.clear()
    try:
        await _apply(what, message.text or "", data, session, clock, settings, person)
    except ServiceError as error:
        if error.key not in RETRY_KEYS:
            raise  # the error handler says why; nothing is written
        await state.set_state(ReplyFlow.text)
        await state.set_data(data)
        await message.answer(refusal(error))  # the question stays: they type again
        return
    await _after(bot, session, settings, person, None, what, int(data["feedback"]), data)


async def _after(
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    person: Person,
    card_message: Message | None,
    what: str,
    feedback_id: int,
    data: dict[str, Any] | None,
) -> None:
    """Edit the card message into a confirmation and the next waiting item."""
    text, keyboard = await inbox_view(session, settings, person, feedback_id)
    text = f"{_(DONE[what])}\n\n{text}"
    if card_message is not None:
        await card_message.edit_text(text, reply_markup=keyboard)
    elif data and data.get("chat") and data.get("msg"):
        await bot.edit_message_text(
            text=text, chat_id=data["chat"], message_id=data["msg"], reply_markup=keyboard
        )


async def text_only(message: Message) -> None:
    await message.answer(_("feedback.inbox.text_only"))


def create_router() -> Router:
    router = Router(name=__name__)
    a = InboxCb.filter
    router.callback_query.register(_asker("answer"), a(F.action == InboxAction.ANSWER))
    router.callback_query.register(_asker("duplicate"), a(F.action == InboxAction.DUPLICATE))
    router.callback_query.register(_asker("hide"), a(F.action == InboxAction.HIDE))
    router.callback_query.register(choose_disposition, a(F.action == InboxAction.DISPOSE_KIND))
    router.message.register(receive_text, ReplyFlow.text, F.text, ~F.text.startswith("/"))
    router.message.register(text_only, ReplyFlow.text, ~F.text)
    return router
