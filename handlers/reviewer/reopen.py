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
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import regrading
from bot.services import review as review_service
from handlers.callbacks import ReopenAction, ReopenCb, ReviewAction, ReviewCb
from handlers.review_cards import render_card, review_config
from handlers.ui.card_steps import ask_on_card, card_of, next_after
from handlers.ui.context import Ctx
from handlers.ui.fit import answer_fitted, edit_fitted, fitted
from handlers.ui.pager import Page
from handlers.ui.query import message_of
from handlers.ui.refusals import step_data
from handlers.ui.steps import ends_step

# Refusals of the typed reason itself: the prompt stays and the reviewer types again.
RETRY_KEYS = frozenset({"review.comment_too_long", "workflow.comment_required"})


class ReopenFlow(StatesGroup):
    reason = State()


def _to_inbox(builder: InlineKeyboardBuilder | None = None) -> InlineKeyboardBuilder:
    """`builder` (or a new one) with the "back to the inbox" button."""
    builder = builder or InlineKeyboardBuilder()
    builder.button(text=_("review.btn.inbox"), callback_data=ReviewCb(a=ReviewAction.INBOX))
    return builder


async def _view(ctx: Ctx, after: int) -> Page:
    config = review_config(ctx)
    ids = await regrading.active_in_scope(ctx.session, config, ctx.person)
    risk_id = next_after(ids, after)
    if risk_id is None:
        return _("reopen.none"), _to_inbox().as_markup()
    sit = await review_service.situation(ctx.session, config, risk_id)
    text = await render_card(ctx.session, sit, _, config)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("reopen.btn.reopen"),
        callback_data=ReopenCb(a=ReopenAction.ASK, r=risk_id, v=sit.review.version),
    )
    if len(ids) > 1:
        builder.button(
            text=_("review.btn.skip"), callback_data=ReopenCb(a=ReopenAction.NEXT, r=risk_id)
        )
    _to_inbox(builder).adjust(2)
    title = _("reopen.title").format(n=len(ids))
    return f"{title}\n\n{text}", builder.as_markup()


async def show_next(
    query: CallbackQuery, callback_data: ReopenCb, state: FSMContext, ctx: Ctx
) -> None:
    await state.clear()
    text, keyboard = await _view(ctx, callback_data.r)
    await query.answer()
    await edit_fitted(
        message_of(query), text, reply_markup=keyboard, name=f"risk-{callback_data.r}"
    )


async def ask_reason(
    query: CallbackQuery, callback_data: ReopenCb, state: FSMContext, ctx: Ctx
) -> None:
    await regrading.check_reopen(
        ctx.session, review_config(ctx), actor=ctx.person, risk_id=callback_data.r,
        expected_version=callback_data.v,
    )  # fmt: skip
    await ask_on_card(
        query, state, ReopenFlow.reason, _("reopen.ask_reason"), _to_inbox().as_markup(),
        risk=callback_data.r, version=callback_data.v,
    )  # fmt: skip


async def receive_reason(message: Message, state: FSMContext, bot: Bot, ctx: Ctx) -> None:
    data = await step_data(state)
    risk_id = int(data["risk"])
    async with ends_step(state, mend=RETRY_KEYS):
        await regrading.reopen(
            ctx.session, ctx.clock, review_config(ctx), actor=ctx.person, risk_id=risk_id,
            reason=message.text, expected_version=data.get("version"),
        )  # fmt: skip
    await state.clear()
    text, keyboard = await _view(ctx, risk_id)
    text = _("reopen.done").format(id=risk_id) + f"\n\n{text}"
    card = card_of(data)
    if card is not None:
        await bot.edit_message_text(
            text=fitted(text)[0], chat_id=card[0], message_id=card[1], reply_markup=keyboard
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
