"""What a risk card's buttons do: accept or dispute a proposal, record the collective
discussion, confirm the self-review, edit the description, assess, withdraw, resubmit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.errors import ServiceError
from bot.domain.register_rules import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    DateRefused,
    parse_date,
)
from bot.domain.risk_workflow import Action, IllegalTransition, RiskState
from bot.services import review as review_service
from bot.services import risks as risk_service
from bot.services.risks.common import holders_risk
from handlers.callbacks import RiskAction, RiskCb
from handlers.register_ui import (
    ask,
)
from handlers.staff.risks.keyboards import (
    FULLWIDTH_DIGITS,
    YEAR,
    Declare,
    RiskStep,
    button,
)
from handlers.ui.context import Ctx
from handlers.ui.labels import DATE_REFUSED, N_, label
from handlers.ui.query import message_of
from handlers.ui.refusals import step_data
from handlers.ui.routes import Presses
from handlers.ui.steps import finish_step, typed
from storage.models.org import Post
from storage.models.register import RiskPoint

# --- actions from the card ------------------------------------------------------------------


PRESSES = Presses(RiskCb)


@PRESSES.on(RiskAction.ACCEPT)
async def accept(query: CallbackQuery, callback_data: RiskCb, ctx: Ctx) -> None:
    risk = await risk_service.answer_proposal(
        ctx.session,
        ctx.clock,
        actor=ctx.person,
        risk_id=callback_data.id,
        accept=True,
        settings=ctx.settings,
    )
    await query.answer()
    builder = InlineKeyboardBuilder()
    button(builder, _("risks.assess"), RiskAction.ASSESS, id=risk.id)
    await message_of(query).answer(_("risks.accepted"), reply_markup=builder.as_markup())


async def start_step(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    """Dispute / record the discussion / edit the description: one typed answer each."""
    # Only the holder answers for the record: a colleague is refused before any text is asked.
    risk = await holders_risk(ctx.session, ctx.person, callback_data.id)
    step = {
        "dispute": RiskStep.dispute_reason,
        "discuss": RiskStep.discussion_date,
        "edit": RiskStep.description,
    }[callback_data.action]
    await query.answer()
    await state.clear()
    await state.update_data(risk_id=risk.id)
    await state.set_state(step)
    await ask(message_of(query), state)


async def enter_dispute_reason(message: Message, state: FSMContext, ctx: Ctx) -> None:
    risk_id = (await step_data(state))["risk_id"]
    typed(message.text, COMMENT_MAX)
    await finish_step(
        state,
        risk_service.answer_proposal(
            ctx.session,
            ctx.clock,
            actor=ctx.person,
            risk_id=risk_id,
            accept=False,
            reason=message.text,
            settings=ctx.settings,
        ),
    )
    await message.answer(_("risks.disputed"))


async def enter_discussion_date(message: Message, state: FSMContext, ctx: Ctx) -> None:
    today = ctx.today()
    try:
        text = message.text or ""
        held_on = parse_date(text, today)
        if held_on > today and not YEAR.search(text.translate(FULLWIDTH_DIGITS)):
            # A meeting is in the past: "3月5日" typed after it means the last 3月5日.
            held_on = held_on.replace(year=held_on.year - 1)
        if held_on > today:
            raise DateRefused("future")
    except DateRefused as refused:
        await ask(message, state, prefix=label(DATE_REFUSED, refused.reason))
        return
    except ValueError:
        await ask(message, state, prefix=_("register.date_invalid"))
        return
    await state.update_data(held_on=held_on.isoformat())
    await state.set_state(RiskStep.discussion_summary)
    await ask(message, state)


async def enter_discussion_summary(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    text = typed(message.text, DESCRIPTION_MAX)
    risk = await finish_step(state, risk_service.record_discussion(
        ctx.session, ctx.clock, actor=ctx.person, risk_id=data["risk_id"],
        held_on=date.fromisoformat(data["held_on"]), summary=text, settings=ctx.settings,
    ))  # fmt: skip
    builder = InlineKeyboardBuilder()
    button(builder, _("risks.self_ok"), RiskAction.SELF_OK, id=risk.id)
    await message.answer(_("risks.discussion_recorded"), reply_markup=builder.as_markup())


async def enter_new_description(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await step_data(state)
    text = typed(message.text, DESCRIPTION_MAX)
    await finish_step(state, risk_service.edit_risk(
        ctx.session, ctx.clock, actor=ctx.person, risk_id=data["risk_id"], field="description",
        value=text, settings=ctx.settings,
    ))  # fmt: skip
    await message.answer(_("risks.edited"))


@PRESSES.on(RiskAction.ASSESS)
async def start_assess(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    """A confirmed proposal: the holder grades it and adds its measures (from the factors)."""
    risk = await ctx.session.get(RiskPoint, callback_data.id)
    if risk is None or not risk_service.is_holder(ctx.person, risk):
        raise ServiceError("register.not_found")
    if risk.status != RiskState.DRAFT.value:
        raise IllegalTransition(RiskState(risk.status), Action.SUBMIT)
    post = await ctx.session.get(Post, risk.post_id)
    await query.answer()
    await state.clear()
    await state.update_data(
        risk_id=risk.id,
        unit_id=post.unit_id if post else None,
        focus=risk.focus_programme,
        measures=[],
        factors={},
        factor_index=0,
    )
    await state.set_state(Declare.factor)
    await ask(message_of(query), state)


# One tap on the card: the service's move, what to say, and whether the card itself becomes it.
ONE_TAP: dict[RiskAction, tuple[Callable[..., Awaitable[object]], str, bool]] = {
    RiskAction.SELF_OK: (risk_service.confirm_self_review, N_("risks.to_committee"), False),
    RiskAction.WITHDRAW: (risk_service.withdraw_risk, N_("risks.withdrawn"), True),
}


async def one_tap(query: CallbackQuery, callback_data: RiskCb, ctx: Ctx) -> None:
    """Confirm the self-review, or withdraw: the service moves the record (or refuses)."""
    move, done_key, replaces_card = ONE_TAP[callback_data.action]
    await move(
        ctx.session, ctx.clock, actor=ctx.person, risk_id=callback_data.id, settings=ctx.settings
    )
    await query.answer()
    if replaces_card:
        await message_of(query).edit_text(_(done_key))
    else:
        await message_of(query).answer(_(done_key))


@PRESSES.on(RiskAction.RESUBMIT)
async def resubmit(query: CallbackQuery, callback_data: RiskCb, ctx: Ctx) -> None:
    """A returned record (or one due for re-grading) goes back to the review."""
    await review_service.transition(
        ctx.session,
        ctx.clock,
        review_service.ReviewConfig.from_settings(ctx.settings),
        actor=ctx.person,
        risk_id=callback_data.id,
        decision=review_service.Decision(Action.RESUBMIT),
    )
    await query.answer()
    await message_of(query).edit_text(_("risks.resubmitted"))
