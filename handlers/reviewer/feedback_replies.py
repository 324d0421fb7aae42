"""The typed steps of the /feedback inbox: an answer, the code of the item this one
duplicates, the reason for hiding, and the commission's disposition (a follow-up date for
整改, a reason for closing). The press is checked at once (a stale or foreign button is told
why before anything is typed), and again by the service when the text arrives. The pressed
button is written into its card (`handlers/ui/trail.py`), the question comes below, the typed
answer stays, and the confirmation with the next waiting item follows as a new message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.domain.feedback import Action, Disposition
from bot.i18n import N_
from bot.services.feedback import answering
from bot.settings import Settings
from handlers.callbacks import InboxAction, InboxCb
from handlers.register_ui import Question, ask
from handlers.reviewer.feedback_ui import DISPOSITIONS, fb_config, inbox_view
from handlers.ui.context import Ctx
from handlers.ui.refusals import step_data
from handlers.ui.steps import chosen_index, ends_step, next_step
from handlers.ui.trail import answer_choice, drop_keyboard
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
    "answer": N_("feedback.inbox.ask_answer"),
    "duplicate": N_("feedback.inbox.ask_duplicate"),
    "hide": N_("feedback.inbox.ask_hide"),
    "rectify": N_("feedback.inbox.ask_follow_up"),
    "closed": N_("feedback.inbox.ask_close_reason"),
}
DONE = {
    "answer": N_("feedback.inbox.done_answered"),
    "duplicate": N_("feedback.inbox.done_duplicate"),
    "hide": N_("feedback.inbox.done_hidden"),
    "rectify": N_("feedback.inbox.done_disposed"),
    "closed": N_("feedback.inbox.done_disposed"),
    "interview": N_("feedback.inbox.done_disposed"),
}
CHECKED = {"answer": Action.ANSWER, "duplicate": Action.MARK_DUPLICATE, "hide": Action.HIDE}


def _back_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("feedback.btn.back"),
        callback_data=InboxCb(action=InboxAction.OPEN, feedback_id=int(data.get("feedback", 0))),
    )
    return builder.as_markup()


class ReplyFlow(StatesGroup):
    text = Question(lambda data: PROMPTS[str(data.get("what"))], _back_keyboard)


async def _ask(query: CallbackQuery, state: FSMContext, what: str, callback_data: InboxCb) -> None:
    """The pressed button written into its card (no keyboard), the question asked below."""
    await state.set_state(ReplyFlow.text)
    await state.update_data(
        what=what, feedback=callback_data.feedback_id, version=callback_data.version
    )
    await next_step(query, state)


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
    query: CallbackQuery, callback_data: InboxCb, state: FSMContext, ctx: Ctx
) -> None:
    index = chosen_index(callback_data.value, DISPOSITIONS)
    card = await answering.card(ctx.session, ctx.person, callback_data.feedback_id)
    if not card.can_dispose or card.version != callback_data.version:
        raise ServiceError("feedback.stale")
    disposition = DISPOSITIONS[index]
    if disposition is not Disposition.INTERVIEW:
        await _ask(query, state, disposition.value, callback_data)
        return
    await answering.dispose(
        ctx.session, ctx.clock, fb_config(ctx.settings), ctx.person,
        feedback_id=card.feedback_id, disposition=disposition,
        expected_version=callback_data.version,
    )  # fmt: skip
    message = await answer_choice(query)
    await _after(message, ctx.session, ctx.settings, ctx.person, "interview", card.feedback_id)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError("feedback.bad_date") from None


async def _apply(what: str, text: str, data: dict[str, Any], ctx: Ctx) -> None:
    session, clock, person, config = ctx.session, ctx.clock, ctx.person, fb_config(ctx.settings)
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


async def receive_text(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    what = str(data.get("what"))
    # A refusal of the typed text asks the same question again; any other ends the step.
    async with ends_step(state, mend=RETRY_KEYS):
        await _apply(what, message.text or "", data, ctx)
    await drop_keyboard(message, state)  # the question's "back" is spent
    await state.clear()
    await _after(message, ctx.session, ctx.settings, ctx.person, what, int(data["feedback"]))


async def _after(
    below: Message,
    session: AsyncSession,
    settings: Settings,
    person: Person,
    what: str,
    feedback_id: int,
) -> None:
    """The confirmation and the next waiting item, as a new message below `below`."""
    text, keyboard = await inbox_view(session, settings, person, feedback_id)
    await below.answer(f"{_(DONE[what])}\n\n{text}", reply_markup=keyboard)


async def text_only(message: Message, state: FSMContext) -> None:
    await ask(message, state, prefix=_("feedback.inbox.text_only"))


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
