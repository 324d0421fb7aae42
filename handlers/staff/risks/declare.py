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

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.grading import FACTORS, Factors, GradingRule, explain, grade_risk
from bot.domain.register_rules import (
    DESCRIPTION_MAX,
    RISK_TYPES,
)
from bot.domain.risk_workflow import RiskState
from bot.services import powers as power_service
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
from handlers.staff.risks.keyboards import Declare, button, power_keyboard, stale
from handlers.ui.fit import answer_fitted
from handlers.ui.query import message_of
from handlers.ui.steps import typed
from storage.models.org import Person, Post
from storage.models.register import Power, RiskPoint

# --- declaring: identify ------------------------------------------------------------------


async def start_declare(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    post = await session.get(Post, person.post_id) if person.post_id else None
    if post is None:
        raise ServiceError("register.no_post")
    items, _total = await power_service.powers_of_post(session, post, limit=200)
    await query.answer()
    await state.clear()
    await state.update_data(
        powers=[[p.id, p.name] for p in items],
        power_offset=0,
        measures=[],
        unit_id=post.unit_id,
        draft_key=uuid4().hex,  # a second submit of this draft returns the first record
    )
    await state.set_state(Declare.power)
    await ask(message_of(query), state)


async def power_page(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    data = await state.update_data(power_offset=max(0, callback_data.value))
    await query.answer()
    await message_of(query).edit_reply_markup(reply_markup=power_keyboard(data))


async def choose_power(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    data = await state.get_data()
    known = {power_id for power_id, _name in data.get("powers", [])}
    if callback_data.id and callback_data.id not in known:
        await stale(query)
        return
    await query.answer()
    await state.update_data(power_id=callback_data.id or None)
    await state.set_state(Declare.description)
    await ask(message_of(query), state)


async def enter_description(message: Message, state: FSMContext) -> None:
    text = typed(message.text, DESCRIPTION_MAX)
    await state.update_data(description=text)
    await state.set_state(Declare.risk_type)
    await ask(message, state)


async def choose_type(
    query: CallbackQuery, callback_data: RiskCb, state: FSMContext, session: AsyncSession
) -> None:
    if not 0 <= callback_data.value < len(RISK_TYPES):
        await stale(query)
        return
    await query.answer()
    await state.update_data(
        risk_type=RISK_TYPES[callback_data.value], focus_list=await focus_programmes(session)
    )
    await state.set_state(Declare.focus)
    await ask(message_of(query), state)


async def choose_focus(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    focus_list = (await state.get_data()).get("focus_list", [])
    if not 0 <= callback_data.value <= len(focus_list):
        await stale(query)
        return
    await query.answer()
    focus = focus_list[callback_data.value - 1] if callback_data.value else None
    await state.update_data(focus=focus, factors={}, factor_index=0)
    await state.set_state(Declare.factor)
    await ask(message_of(query), state)


# --- declaring: the five factors -----------------------------------------------------------


async def choose_factor(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
    settings: Settings,
) -> None:
    if not 1 <= callback_data.value <= 5:
        await stale(query)
        return
    data = await state.get_data()
    index = int(data.get("factor_index", 0))
    factors = dict(data.get("factors", {}))
    factors[FACTORS[index].value] = callback_data.value
    await query.answer()
    if index + 1 < len(FACTORS):
        await state.update_data(factors=factors, factor_index=index + 1)
        await ask(message_of(query), state)
        return
    rule = GradingRule.from_settings(settings)
    grade = grade_risk(Factors.from_mapping(factors), rule, focus=bool(data.get("focus")))
    await state.update_data(factors=factors, factor_index=index)
    await start_measure(message_of(query), state, session, person, prefix=explain(grade, _, rule))


async def measures_done(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
) -> None:
    await query.answer()
    data = await state.get_data()
    await state.set_state(Declare.confirm)
    builder = InlineKeyboardBuilder()
    button(builder, _("risks.submit"), RiskAction.SAVE)
    button(builder, _("register.abort"), RiskAction.ABORT)
    await answer_fitted(
        message_of(query),
        await _confirm_card(session, data, settings),
        reply_markup=builder.as_markup(),
        name="risk-draft",
    )


async def _confirm_card(session: AsyncSession, data: dict[str, Any], settings: Settings) -> str:
    if data.get("risk_id"):
        risk = await session.get(RiskPoint, data["risk_id"])
        power = await session.get(Power, risk.power_id) if risk and risk.power_id else None
        description = risk.description if risk else ""
        risk_type = risk.risk_type if risk else RISK_TYPES[0]
        focus = risk.focus_programme if risk else None
    else:
        power = await session.get(Power, data["power_id"]) if data.get("power_id") else None
        description, risk_type, focus = data["description"], data["risk_type"], data.get("focus")
    rule = GradingRule.from_settings(settings)
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
                rule=quote(measure.get("rule_title") or _("risks.no_rule")),
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


async def submit(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    data = await state.get_data()
    if data.get("risk_id"):
        risk = await risk_service.complete_draft(
            session, clock, actor=person, risk_id=data["risk_id"],
            factors=data["factors"], measures=_drafts(data), settings=settings,
        )  # fmt: skip
    else:
        risk = await risk_service.declare_risk(
            session,
            clock,
            actor=person,
            settings=settings,
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
    # The answer commits the unit of work first (CommitBeforeSpeaking); only then is the draft
    # let go, so a crash in between leaves the draft, whose key finds the risk again.
    await query.answer()
    await state.clear()
    key = (
        "risks.submitted_leadership"
        if risk.status == RiskState.COLLECTIVE_DISCUSSION.value
        else "risks.submitted"
    )
    await message_of(query).edit_text(
        _(key).format(id=risk.id, level=level_label(risk.suggested_level))
    )


async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await message_of(query).edit_text(_("cancel.done"))
