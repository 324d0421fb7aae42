"""Declaring a risk point: identify (power → 风险表现 → type → focus programme), the five
factors with the suggested level, then (after the measures) the confirm card and submit."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import local_time
from bot.domain.errors import ServiceError
from bot.domain.grading import FACTORS, Factors, GradingRule, explain, grade_risk
from bot.domain.register_rules import (
    DESCRIPTION_MAX,
    RISK_TYPES,
)
from bot.domain.risk_workflow import RiskState
from bot.services import powers as power_service
from bot.services import review as review_service
from bot.services import risks as risk_service
from bot.services.risks import MeasureDraft, RiskDraft
from bot.services.rules_register import focus_programmes
from bot.settings import Settings
from handlers.callbacks import RiskAction, RiskCb
from handlers.register_ui import (
    ask,
    level_label,
    quote,
    risk_type_label,
)
from handlers.staff.risks.declare_measures import start_measure
from handlers.staff.risks.keyboards import POWERS, Declare, button
from handlers.ui.context import Ctx
from handlers.ui.fit import answer_fitted
from handlers.ui.query import message_of
from handlers.ui.routes import Presses
from handlers.ui.steps import abort_flow, chosen_index, end_flow, next_step, typed
from handlers.ui.trail import answer_choice
from storage.models.register import Power, RiskPoint

FACTOR_VALUES = range(1, 6)

# --- declaring: identify ------------------------------------------------------------------


PRESSES = Presses(RiskCb)


@PRESSES.on(RiskAction.DECLARE)
async def start_declare(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    post = await ctx.own_post()
    items, _total = await power_service.powers_of_post(ctx.session, post, limit=200)
    await state.clear()
    powers = [[p.id, p.name] for p in items]
    await next_step(
        query,
        state,
        Declare.power,
        powers=powers,
        power_offset=0,
        measures=[],
        unit_id=post.unit_id,
        draft_key=uuid4().hex,  # a second submit of this draft returns the first record
    )


PRESSES.on(RiskAction.POWER_PAGE, Declare.power)(POWERS.turn)


@PRESSES.on(RiskAction.POWER, Declare.power)
async def choose_power(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    known = {power_id for power_id, _name in (await state.get_data()).get("powers", [])}
    if callback_data.id and callback_data.id not in known:
        raise ServiceError("fallback.stale_button")
    await next_step(query, state, Declare.description, power_id=callback_data.id or None)


async def enter_description(message: Message, state: FSMContext) -> None:
    text = typed(message.text, DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(Declare.risk_type)
    await ask(message, state)


@PRESSES.on(RiskAction.TYPE, Declare.risk_type)
async def choose_type(
    query: CallbackQuery, callback_data: RiskCb, state: FSMContext, session: AsyncSession
) -> None:
    risk_type = RISK_TYPES[chosen_index(callback_data.value, RISK_TYPES)]
    focus_list = await focus_programmes(session)
    await next_step(query, state, Declare.focus, risk_type=risk_type, focus_list=focus_list)


@PRESSES.on(RiskAction.FOCUS, Declare.focus)
async def choose_focus(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    focus_list = (await state.get_data()).get("focus_list", [])
    index = chosen_index(callback_data.value, [None, *focus_list])  # 0: not a focus programme
    focus = focus_list[index - 1] if index else None
    await next_step(query, state, Declare.factor, focus=focus, factors={}, factor_index=0)


# --- declaring: the five factors -----------------------------------------------------------


@PRESSES.on(RiskAction.FACTOR, Declare.factor)
async def choose_factor(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    chosen_index(callback_data.value - 1, FACTOR_VALUES)
    data = await state.get_data()
    index = int(data.get("factor_index", 0))
    factors = dict(data.get("factors", {}))
    factors[FACTORS[index].value] = callback_data.value
    await answer_choice(query)
    if index + 1 < len(FACTORS):
        await state.update_data(factors=factors, factor_index=index + 1)
        await ask(message_of(query), state)
        return
    rule = GradingRule.from_settings(ctx.settings)
    grade = grade_risk(Factors.from_mapping(factors), rule, focus=bool(data.get("focus")))
    await state.update_data(factors=factors, factor_index=index)
    await start_measure(
        message_of(query), state, ctx.session, ctx.person, prefix=explain(grade, _, rule)
    )


@PRESSES.on(RiskAction.DONE, Declare.more)
async def measures_done(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await answer_choice(query)
    data = await state.get_data()
    await state.set_state(Declare.confirm)
    builder = InlineKeyboardBuilder()
    button(builder, _("risks.submit"), RiskAction.SAVE)
    button(builder, _("register.abort"), RiskAction.ABORT)
    await answer_fitted(
        message_of(query),
        await _confirm_card(ctx, data),
        reply_markup=builder.as_markup(),
        name="risk-draft",
    )


async def _confirm_card(ctx: Ctx, data: dict[str, Any]) -> str:
    if data.get("risk_id"):
        risk = await ctx.session.get(RiskPoint, data["risk_id"])
        power = await ctx.session.get(Power, risk.power_id) if risk and risk.power_id else None
        description = risk.description if risk else ""
        risk_type = risk.risk_type if risk else RISK_TYPES[0]
        focus = risk.focus_programme if risk else None
    else:
        power = await ctx.session.get(Power, data["power_id"]) if data.get("power_id") else None
        description, risk_type, focus = data["description"], data["risk_type"], data.get("focus")
    rule = GradingRule.from_settings(ctx.settings)
    grade = grade_risk(Factors.from_mapping(data["factors"]), rule, focus=bool(focus))
    lines = [
        _("risks.confirm").format(
            power=quote(power.name if power else _("risks.no_power")),
            description=quote(description),
            type=risk_type_label(risk_type),
            focus=quote(focus or _("risks.no_focus")),
        ),
        explain(grade, _, rule),
    ]
    for number, measure in enumerate(data.get("measures", []), start=1):
        lines.append(
            _("risks.confirm_measure").format(
                n=number,
                action=quote(measure["action"]),
                who=quote(measure["responsible_name"]),
                deadline=measure["deadline"],
                rule=quote(measure.get("rule_title") or _("risks.confirm_no_rule")),
            )
        )
    return "\n".join(lines)


def _drafts(data: dict[str, Any]) -> list[MeasureDraft]:
    return [
        MeasureDraft(
            action=m["action"],
            deadline=date.fromisoformat(m["deadline"]),
            responsible_id=m.get("responsible_id"),
            rule_id=m.get("rule_id"),
        )
        for m in data.get("measures", [])
    ]


@PRESSES.on(RiskAction.SAVE, Declare.confirm)
async def submit(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    if data.get("risk_id"):
        risk = await risk_service.complete_draft(
            ctx.session,
            ctx.clock,
            actor=ctx.person,
            risk_id=data["risk_id"],
            factors=data["factors"],
            measures=_drafts(data),
            settings=ctx.settings,
        )
    else:
        risk = await risk_service.declare_risk(
            ctx.session,
            ctx.clock,
            actor=ctx.person,
            settings=ctx.settings,
            draft=RiskDraft(
                description=data["description"],
                risk_type=data["risk_type"],
                factors=data["factors"],
                measures=_drafts(data),
                power_id=data.get("power_id"),
                focus_programme=data.get("focus"),
                key=data.get("draft_key"),
            ),
        )
    await end_flow(query, state, await _submitted(ctx.session, ctx.settings, risk))


async def _submitted(session: AsyncSession, settings: Settings, risk: RiskPoint) -> str:
    """Where the new record is now, and for a social review, the day its window closes."""
    level = level_label(risk.suggested_level)
    if risk.status == RiskState.COLLECTIVE_DISCUSSION.value:
        return _("risks.submitted_leadership").format(id=risk.id, level=level)
    closes = await review_service.social_closes_at(session, [risk.id])
    if risk.status == RiskState.SOCIAL_REVIEW.value and closes is not None:
        until = local_time.day(closes, settings.timezone)
        return _("risks.submitted_social").format(id=risk.id, level=level, until=until)
    return _("risks.submitted").format(id=risk.id, level=level)


abort = PRESSES.on(RiskAction.ABORT, Declare.confirm)(abort_flow)
