"""Reopening an approved or active risk after feedback (定期调整 on a reviewer's word).

From /review's "active risks" button a reviewer pages through the approved and publicised
risks they answer for (their tier and scope; the commission: all), card by card, edited in
place. "Reopen" asks for a reason (required, length-checked); the risk becomes
`regrading_due` and its holder gets the reason with a button to re-grade it. The press is
checked at once (a forged or stale button is told why before any reason is typed), and again
by the service when the reason arrives.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.services import regrading
from bot.services import review as review_service
from bot.services.review import ReviewConfig
from bot.settings import Settings
from handlers.callbacks import ReopenAction, ReopenCb, ReviewAction, ReviewCb
from handlers.review_cards import render_card
from handlers.ui.fit import answer_fitted, edit_fitted, fitted
from handlers.ui.query import message_of
from handlers.ui.steps import ends_step
from storage.models.org import Person

# Refusals of the typed reason itself: the prompt stays and the reviewer types again.
RETRY_KEYS = frozenset({"review.comment_too_long", "workflow.comment_required"})


class ReopenFlow(StatesGroup):
    reason = State()


def _config(settings: Settings) -> ReviewConfig:
    return ReviewConfig.from_settings(settings)


async def _view(
    session: AsyncSession, settings: Settings, person: Person, after: int
) -> tuple[str, InlineKeyboardMarkup]:
    config = _config(settings)
    ids = await regrading.active_in_scope(session, config, person)
    builder = InlineKeyboardBuilder()
    later = [i for i in ids if i > after]
    candidates = later or ids
    risk_id = candidates[0] if candidates else None
    if risk_id is None:
        builder.button(text=_("review.btn.inbox"), callback_data=ReviewCb(a=ReviewAction.INBOX))
        return _("reopen.none"), builder.as_markup()
    sit = await review_service.situation(session, config, risk_id)
    text = await render_card(session, sit, _, config)
    v = sit.review.version
    builder.button(
        text=_("reopen.btn.reopen"), callback_data=ReopenCb(a=ReopenAction.ASK, r=risk_id, v=v)
    )
    if len(ids) > 1:
        builder.button(
            text=_("review.btn.skip"), callback_data=ReopenCb(a=ReopenAction.NEXT, r=risk_id)
        )
    builder.button(text=_("review.btn.inbox"), callback_data=ReviewCb(a=ReviewAction.INBOX))
    builder.adjust(2)
    title = _("reopen.title").format(n=len(ids))
    return f"{title}\n\n{text}", builder.as_markup()


async def show_next(
    query: CallbackQuery,
    callback_data: ReopenCb,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    person: Person,
) -> None:
    await state.clear()
    text, keyboard = await _view(session, settings, person, callback_data.r)
    await query.answer()
    await edit_fitted(
        message_of(query), text, reply_markup=keyboard, name=f"risk-{callback_data.r}"
    )


async def ask_reason(
    query: CallbackQuery,
    callback_data: ReopenCb,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    person: Person,
) -> None:
    await regrading.check_reopen(
        session, _config(settings), actor=person, risk_id=callback_data.r,
        expected_version=callback_data.v,
    )  # fmt: skip
    await query.answer()
    message = query.message
    await state.set_state(ReopenFlow.reason)
    await state.update_data(
        risk=callback_data.r,
        version=callback_data.v,
        card_chat=message.chat.id if message else None,
        card_message=message.message_id if message else None,
    )
    builder = InlineKeyboardBuilder()
    builder.button(text=_("review.btn.inbox"), callback_data=ReviewCb(a=ReviewAction.INBOX))
    await message_of(query).edit_text(_("reopen.ask_reason"), reply_markup=builder.as_markup())


async def receive_reason(
    message: Message,
    state: FSMContext,
    bot: Bot,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    person: Person,
) -> None:
    data = await state.get_data()
    risk_id = int(data["risk"])
    async with ends_step(state, mend=RETRY_KEYS):
        await regrading.reopen(
            session, clock, _config(settings), actor=person, risk_id=risk_id,
            reason=message.text, expected_version=data.get("version"),
        )  # fmt: skip
    await state.clear()
    text, keyboard = await _view(session, settings, person, risk_id)
    text = f"{_('reopen.done').format(id=risk_id)}\n\n{text}"
    if data.get("card_chat") and data.get("card_message"):
        await bot.edit_message_text(
            text=fitted(text)[0],
            chat_id=data["card_chat"],
            message_id=data["card_message"],
            reply_markup=keyboard,
        )
    else:
        await answer_fitted(message, text, reply_markup=keyboard, name=f"risk-{risk_id}")


async def reason_not_text(message: Message) -> None:
    await message.answer(_("review.comment_text_only"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show_next, ReopenCb.filter(F.a == ReopenAction.NEXT))
    router.callback_query.register(ask_reason, ReopenCb.filter(F.a == ReopenAction.ASK))
    router.message.register(receive_reason, ReopenFlow.reason, F.text, ~F.text.startswith("/"))
    router.message.register(reason_not_text, ReopenFlow.reason, ~F.text)
    return router
