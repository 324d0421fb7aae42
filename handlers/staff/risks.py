"""/risks: my post's risk points, and the declaration (五步工作法) step by step.

identify (power → 风险表现 → type → focus programme) → the five factors, one tap each, with
the suggested level → measures (what → 责任主体 → deadline → rule; one or more) → confirm
card → submitted. A confirmed top-down proposal runs the same flow from the factors on.
The risk card offers what its holder may do next: answer a proposal, record the collective
discussion and confirm the self-review (leadership posts), edit, withdraw.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.grading import FACTORS, Factors, GradingRule, explain, grade_risk
from bot.domain.register_rules import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    MEASURE_MAX,
    RISK_TYPES,
    DateRefused,
    QuickPick,
    is_overdue,
    local_today,
    parse_date,
    parse_deadline,
    quick_deadline,
)
from bot.domain.risk_workflow import Action, RiskState
from bot.services import powers as power_service
from bot.services import review as review_service
from bot.services import risks as risk_service
from bot.services.powers import text_or_refuse
from bot.services.risks import MeasureDraft, RiskDraft
from bot.services.rules_register import focus_programmes
from bot.settings import Settings
from handlers.keyboards import PAGE_SIZE, paged_choices
from handlers.register_ui import (
    alert,
    ask,
    day,
    level_label,
    measure_status_label,
    quote,
    reask,
    refusal,
    refuse_and_reask,
    register_prompt,
    risk_type_label,
    send_list,
    state_label,
    turn_list_page,
)
from handlers.staff.regrading_callbacks import RegradeCb
from storage.models.org import Person, Post
from storage.models.register import Power, RiskPoint

QUICK_PICKS = tuple(QuickPick)
YEAR = re.compile(r"\d{4}")
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class Declare(StatesGroup):
    power = State()
    description = State()
    risk_type = State()
    focus = State()
    factor = State()
    measure_action = State()
    responsible = State()
    deadline = State()
    rule = State()
    more = State()
    confirm = State()


class RiskStep(StatesGroup):
    """Single-question steps started from a risk card."""

    dispute_reason = State()
    discussion_date = State()
    discussion_summary = State()
    description = State()


class RiskCb(CallbackData, prefix="rk"):
    # page / open / declare / power / type / focus / factor / who / who_page / quick / rule /
    # rule_page / more / done / save / abort / accept / dispute / assess / discuss / self_ok /
    # edit / withdraw
    action: str
    id: int = 0
    value: int = 0


def _button(builder: InlineKeyboardBuilder, text: str, action: str, **values: int) -> None:
    builder.button(text=text[:60], callback_data=RiskCb(action=action, **values))


# --- step keyboards (built from the flow's data, so a resumed flow gets them back) ---------


def _paged_choices(
    items: list[tuple[int, str]],
    *,
    offset: int,
    total: int,
    choose: str,
    page: str,
    first: str | None = None,
    last: str | None = None,
) -> InlineKeyboardMarkup:
    """One page of (id, name) choices with ‹ › navigation; `first`/`last` choose id 0."""
    builder = InlineKeyboardBuilder()
    if first is not None:
        _button(builder, first, choose, id=0)
    for item_id, name in items:
        _button(builder, name, choose, id=item_id)
    builder.adjust(1)
    nav = InlineKeyboardBuilder()
    if offset > 0:
        _button(nav, _("nav.previous"), page, value=max(0, offset - PAGE_SIZE))
    if offset + PAGE_SIZE < total:
        _button(nav, _("nav.next"), page, value=offset + PAGE_SIZE)
    builder.attach(nav)
    if last is not None:
        builder.row()
        _button(builder, last, choose, id=0)
    return builder.as_markup()


def _power_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    offset, powers = data.get("power_offset", 0), data.get("powers", [])
    return _paged_choices(
        powers[offset : offset + PAGE_SIZE],
        offset=offset,
        total=len(powers),
        choose="power",
        page="power_page",
        last=_("risks.no_power"),
    )


def _type_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, value in enumerate(RISK_TYPES):
        _button(builder, risk_type_label(value), "type", value=index)
    builder.adjust(2)
    return builder.as_markup()


def _focus_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(data.get("focus_list", [])):
        _button(builder, name, "focus", value=index + 1)
    _button(builder, _("risks.no_focus"), "focus", value=0)
    builder.adjust(2)
    return builder.as_markup()


def factor_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in range(1, 6):
        _button(builder, _(f"risks.scale.{value}"), "factor", value=value)
    builder.adjust(1)
    return builder.as_markup()


def factor_prompt_key(data: dict[str, Any]) -> str:
    index = min(int(data.get("factor_index", 0)), len(FACTORS) - 1)
    return f"risks.ask_factor.{FACTORS[index].value}"


def responsible_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    return _paged_choices(
        data.get("people", []),
        offset=data.get("people_offset", 0),
        total=data.get("people_total", 0),
        choose="who",
        page="who_page",
        first=_("risks.responsible_me"),
    )


def deadline_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, pick in enumerate(QUICK_PICKS):
        _button(builder, _(f"risks.quick.{pick.value}"), "quick", value=index)
    builder.adjust(3)
    return builder.as_markup()


def _rule_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    offset, rules = data.get("rule_offset", 0), data.get("rules", [])
    return _paged_choices(
        rules[offset : offset + PAGE_SIZE],
        offset=offset,
        total=len(rules),
        choose="rule",
        page="rule_page",
        last=_("risks.no_rule"),
    )


def _more_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _button(builder, _("risks.add_measure"), "more")
    _button(builder, _("risks.measures_done"), "done")
    builder.adjust(1)
    return builder.as_markup()


register_prompt(Declare.power.state, "risks.ask_power", _power_keyboard)
register_prompt(Declare.description.state, "risks.ask_description")
register_prompt(Declare.risk_type.state, "risks.ask_type", _type_keyboard)
register_prompt(Declare.focus.state, "risks.ask_focus", _focus_keyboard)
register_prompt(Declare.factor.state, factor_prompt_key, factor_keyboard)
register_prompt(Declare.measure_action.state, "risks.ask_measure")
register_prompt(Declare.responsible.state, "risks.ask_responsible", responsible_keyboard)
register_prompt(Declare.deadline.state, "risks.ask_deadline", deadline_keyboard)
register_prompt(Declare.rule.state, "risks.ask_rule", _rule_keyboard)
register_prompt(Declare.more.state, "risks.ask_more", _more_keyboard)
register_prompt(RiskStep.dispute_reason.state, "risks.ask_dispute_reason")
register_prompt(RiskStep.discussion_date.state, "risks.ask_discussion_date")
register_prompt(RiskStep.discussion_summary.state, "risks.ask_discussion_summary")
register_prompt(RiskStep.description.state, "risks.ask_description")


def _stale(query: CallbackQuery) -> Any:
    return query.answer(_("fallback.stale_button"), show_alert=True)


def _today(clock: Clock, settings: Settings) -> date:
    return local_today(clock.now(), settings.timezone)


# --- the list and the card ------------------------------------------------------------------


async def _list_view(
    session: AsyncSession, person: Person, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    post = await session.get(Post, person.post_id) if person.post_id else None
    if post is None:
        raise ServiceError("register.no_post")
    items, total = await risk_service.risks_of_post(
        session, person, post.id, offset=offset, limit=PAGE_SIZE
    )
    lines = [_("risks.list_title").format(post=quote(post.name), total=total)]
    if not total:
        lines.append(_("risks.empty"))
    keyboard = paged_choices(
        items,
        total,
        offset,
        label=lambda r: _("risks.item").format(
            level=level_label(r.level or r.suggested_level),
            status=state_label(r.status),
            description=r.description,
        ),
        choose=lambda r: RiskCb(action="open", id=r.id),
        page=lambda at: RiskCb(action="page", id=at),
        extra=[(_("risks.declare"), RiskCb(action="declare"))],
    )
    return "\n".join(lines), keyboard


async def show_risks(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    await state.clear()
    await send_list(message, lambda offset: _list_view(session, person, offset))


async def page(
    query: CallbackQuery, callback_data: RiskCb, session: AsyncSession, person: Person
) -> None:
    await turn_list_page(
        query, lambda offset: _list_view(session, person, offset), callback_data.id
    )


async def risk_card(
    session: AsyncSession, risk: RiskPoint, settings: Settings, today: date
) -> str:
    power = await session.get(Power, risk.power_id) if risk.power_id else None
    lines = [
        _("risks.card").format(
            id=risk.id,
            status=state_label(risk.status),
            power=quote(power.name if power else _("risks.no_power")),
            description=quote(risk.description),
            type=risk_type_label(risk.risk_type),
            focus=quote(risk.focus_programme or _("risks.no_focus")),
            level=level_label(risk.level or risk.suggested_level),
        )
    ]
    values = {f.value: getattr(risk, f.value) for f in FACTORS}
    if all(v is not None for v in values.values()):
        grade = grade_risk(
            Factors.from_mapping(values),
            GradingRule.from_settings(settings),
            focus=bool(risk.focus_programme),
        )
        lines.append(explain(grade, _, GradingRule.from_settings(settings)))
    if risk.dispute_reason:
        lines.append(_("risks.card_dispute").format(reason=quote(risk.dispute_reason)))
    if risk.discussion_date:
        lines.append(
            _("risks.card_discussion").format(
                date=day(risk.discussion_date), summary=quote(risk.discussion_summary)
            )
        )
    for measure in risk.measures:
        overdue = is_overdue(measure.deadline, measure.status, today)
        lines.append(
            _("risks.card_measure").format(
                action=quote(measure.action),
                who=quote(measure.responsible_name),
                deadline=day(measure.deadline),
                status=measure_status_label(measure.status),
            )
            + (_("measures.overdue_mark") if overdue else "")
        )
    return "\n".join(lines)


def _card_buttons(risk: RiskPoint, person: Person) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    status = RiskState(risk.status)
    holder = risk_service.is_holder(person, risk) or (
        status is RiskState.PROPOSED and person.post_id == risk.post_id
    )
    if holder:
        if status is RiskState.PROPOSED:
            _button(builder, _("risks.accept"), "accept", id=risk.id)
            _button(builder, _("risks.dispute"), "dispute", id=risk.id)
        if status is RiskState.DRAFT:
            _button(builder, _("risks.assess"), "assess", id=risk.id)
        if status is RiskState.COLLECTIVE_DISCUSSION:
            _button(builder, _("risks.discuss"), "discuss", id=risk.id)
        if status is RiskState.SELF_REVIEW:
            _button(builder, _("risks.self_ok"), "self_ok", id=risk.id)
        if status in risk_service.EDITABLE_STATES:
            _button(builder, _("risks.edit_description"), "edit", id=risk.id)
        if status is RiskState.RETURNED:
            # Back to the review after a return (edited or not).
            _button(builder, _("risks.resubmit"), "resubmit", id=risk.id)
        if status is RiskState.REGRADING_DUE:
            # 定期调整: confirm or revise factors and measures on the re-grading card.
            builder.button(
                text=_("regrading.btn.open"), callback_data=RegradeCb(a="open", r=risk.id)
            )
        if status not in (
            RiskState.PROPOSED,
            RiskState.DISPUTED,
            RiskState.APPROVED,
            RiskState.PUBLICISED,
            RiskState.WITHDRAWN,
            RiskState.REGRADING_DUE,
        ):
            _button(builder, _("risks.withdraw"), "withdraw", id=risk.id)
    builder.adjust(1)
    return builder.as_markup()


async def open_risk(
    query: CallbackQuery,
    callback_data: RiskCb,
    session: AsyncSession,
    person: Person,
    settings: Settings,
    clock: Clock,
) -> None:
    try:
        risk = await risk_service.get_visible(session, person, callback_data.id)
    except ServiceError as error:
        await alert(query, error)
        return
    await query.answer()
    await query.message.answer(  # type: ignore[union-attr]
        await risk_card(session, risk, settings, _today(clock, settings)),
        reply_markup=_card_buttons(risk, person),
    )


# --- declaring: identify ------------------------------------------------------------------


async def start_declare(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    post = await session.get(Post, person.post_id) if person.post_id else None
    if post is None:
        await alert(query, ServiceError("register.no_post"))
        return
    items, _total = await power_service.powers_of_post(session, post, limit=200)
    await query.answer()
    await state.clear()
    await state.update_data(
        powers=[[p.id, p.name] for p in items], power_offset=0, measures=[], unit_id=post.unit_id
    )
    await state.set_state(Declare.power)
    await ask(query.message, state)  # type: ignore[arg-type]


async def power_page(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    data = await state.update_data(power_offset=max(0, callback_data.value))
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=_power_keyboard(data))  # type: ignore[union-attr]


async def choose_power(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    data = await state.get_data()
    known = {power_id for power_id, _name in data.get("powers", [])}
    if callback_data.id and callback_data.id not in known:
        await _stale(query)
        return
    await query.answer()
    await state.update_data(power_id=callback_data.id or None)
    await state.set_state(Declare.description)
    await ask(query.message, state)  # type: ignore[arg-type]


async def enter_description(message: Message, state: FSMContext) -> None:
    try:
        text = text_or_refuse(message.text, DESCRIPTION_MAX)
    except ServiceError as error:
        await refuse_and_reask(message, state, error)
        return
    await state.update_data(description=text)
    await state.set_state(Declare.risk_type)
    await ask(message, state)


async def choose_type(
    query: CallbackQuery, callback_data: RiskCb, state: FSMContext, session: AsyncSession
) -> None:
    if not 0 <= callback_data.value < len(RISK_TYPES):
        await _stale(query)
        return
    await query.answer()
    await state.update_data(
        risk_type=RISK_TYPES[callback_data.value], focus_list=await focus_programmes(session)
    )
    await state.set_state(Declare.focus)
    await ask(query.message, state)  # type: ignore[arg-type]


async def choose_focus(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    focus_list = (await state.get_data()).get("focus_list", [])
    if not 0 <= callback_data.value <= len(focus_list):
        await _stale(query)
        return
    await query.answer()
    focus = focus_list[callback_data.value - 1] if callback_data.value else None
    await state.update_data(focus=focus, factors={}, factor_index=0)
    await state.set_state(Declare.factor)
    await ask(query.message, state)  # type: ignore[arg-type]


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
        await _stale(query)
        return
    data = await state.get_data()
    index = int(data.get("factor_index", 0))
    factors = dict(data.get("factors", {}))
    factors[FACTORS[index].value] = callback_data.value
    await query.answer()
    if index + 1 < len(FACTORS):
        await state.update_data(factors=factors, factor_index=index + 1)
        await ask(query.message, state)  # type: ignore[arg-type]
        return
    rule = GradingRule.from_settings(settings)
    grade = grade_risk(Factors.from_mapping(factors), rule, focus=bool(data.get("focus")))
    await state.update_data(factors=factors, factor_index=index)
    await _start_measure(query.message, state, session, person, prefix=explain(grade, _, rule))  # type: ignore[arg-type]


# --- declaring: measures --------------------------------------------------------------------


async def _start_measure(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
    *,
    prefix: str | None = None,
) -> None:
    await state.update_data(current={})
    await state.set_state(Declare.measure_action)
    await ask(message, state, prefix=prefix)


async def enter_measure(
    message: Message, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    try:
        text = text_or_refuse(message.text, MEASURE_MAX)
    except ServiceError as error:
        await refuse_and_reask(message, state, error)
        return
    data = await state.get_data()
    await load_people(state, session, person, data.get("unit_id"), 0)
    await state.update_data(current={"action": text})
    await state.set_state(Declare.responsible)
    await ask(message, state)


async def load_people(
    state: FSMContext, session: AsyncSession, person: Person, unit_id: int | None, offset: int
) -> dict[str, Any]:
    people, total = (
        await risk_service.colleagues(session, unit_id, offset=offset, limit=PAGE_SIZE)
        if unit_id
        else ([], 0)
    )
    return await state.update_data(
        people=[[p.id, p.name] for p in people if p.id != person.id],
        people_offset=offset,
        people_total=total,
    )


async def responsible_page(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    unit_id = (await state.get_data()).get("unit_id")
    data = await load_people(state, session, person, unit_id, max(0, callback_data.value))
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=responsible_keyboard(data))  # type: ignore[union-attr]


async def choose_responsible(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    data = await state.get_data()
    current = dict(data.get("current", {}))
    if callback_data.id:
        post = await session.get(Post, person.post_id) if person.post_id else None
        try:
            chosen = await risk_service.responsible_person(session, post, person, callback_data.id)  # type: ignore[arg-type]
        except ServiceError as error:
            await alert(query, error)
            return
        current.update(responsible_id=chosen.id, responsible_name=chosen.name)
    else:
        current.update(responsible_id=None, responsible_name=person.name)
    await query.answer()
    await state.update_data(current=current)
    await state.set_state(Declare.deadline)
    await ask(query.message, state)  # type: ignore[arg-type]


async def _set_deadline(
    message: Message, state: FSMContext, session: AsyncSession, deadline: date
) -> None:
    data = await state.get_data()
    current = dict(data.get("current", {}))
    current["deadline"] = deadline.isoformat()
    rules = (
        await risk_service.rules_in_force(session, data["unit_id"]) if data.get("unit_id") else []
    )
    await state.update_data(current=current, rules=[[r.id, r.title] for r in rules], rule_offset=0)
    if not rules:
        await _finish_measure(message, state, None)
        return
    await state.set_state(Declare.rule)
    await ask(message, state)


async def quick_pick(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
) -> None:
    if not 0 <= callback_data.value < len(QUICK_PICKS):
        await _stale(query)
        return
    await query.answer()
    deadline = quick_deadline(QUICK_PICKS[callback_data.value], _today(clock, settings))
    await _set_deadline(query.message, state, session, deadline)  # type: ignore[arg-type]


async def enter_deadline(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
) -> None:
    try:
        deadline = parse_deadline(message.text or "", _today(clock, settings))
    except DateRefused as refused:
        await ask(message, state, prefix=_(f"register.date_{refused.reason}"))
        return
    await _set_deadline(message, state, session, deadline)


async def rule_page(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    data = await state.update_data(rule_offset=max(0, callback_data.value))
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=_rule_keyboard(data))  # type: ignore[union-attr]


async def choose_rule(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    rules = {rule_id: title for rule_id, title in (await state.get_data()).get("rules", [])}
    if callback_data.id and callback_data.id not in rules:
        await _stale(query)
        return
    await query.answer()
    rule = [callback_data.id, rules[callback_data.id]] if callback_data.id else None
    await _finish_measure(query.message, state, rule)  # type: ignore[arg-type]


async def _finish_measure(message: Message, state: FSMContext, rule: list[Any] | None) -> None:
    data = await state.get_data()
    current = dict(data.get("current", {}))
    current["rule_id"], current["rule_title"] = rule if rule else (None, None)
    measures = [*data.get("measures", []), current]
    await state.update_data(measures=measures, current={}, _prompt_values={"n": len(measures)})
    await state.set_state(Declare.more)
    await ask(message, state)


async def more_measures(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, person: Person
) -> None:
    if len((await state.get_data()).get("measures", [])) >= risk_service.MEASURES_MAX:
        await alert(
            query, ServiceError("register.measures_too_many", limit=risk_service.MEASURES_MAX)
        )
        return
    await query.answer()
    await _start_measure(query.message, state, session, person)  # type: ignore[arg-type]


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
    _button(builder, _("risks.submit"), "save")
    _button(builder, _("register.abort"), "abort")
    await query.message.answer(  # type: ignore[union-attr]
        await _confirm_card(session, data, settings), reply_markup=builder.as_markup()
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
    try:
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
                ),
            )
    except ServiceError as error:
        await alert(query, error)
        return
    await state.clear()
    await query.answer()
    key = (
        "risks.submitted_leadership"
        if risk.status == RiskState.COLLECTIVE_DISCUSSION.value
        else "risks.submitted"
    )
    await query.message.edit_text(  # type: ignore[union-attr]
        _(key).format(id=risk.id, level=level_label(risk.suggested_level))
    )


async def abort(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await query.message.edit_text(_("cancel.done"))  # type: ignore[union-attr]


# --- actions from the card ------------------------------------------------------------------


async def accept(
    query: CallbackQuery,
    callback_data: RiskCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    try:
        risk = await risk_service.answer_proposal(
            session, clock, actor=person, risk_id=callback_data.id, accept=True, settings=settings
        )
    except ServiceError as error:
        await alert(query, error)
        return
    await query.answer()
    builder = InlineKeyboardBuilder()
    _button(builder, _("risks.assess"), "assess", id=risk.id)
    await query.message.answer(_("risks.accepted"), reply_markup=builder.as_markup())  # type: ignore[union-attr]


async def start_step(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    """Dispute / record the discussion / edit the description: one typed answer each."""
    try:
        risk = await risk_service.get_visible(session, person, callback_data.id)
    except ServiceError as error:
        await alert(query, error)
        return
    step = {
        "dispute": RiskStep.dispute_reason,
        "discuss": RiskStep.discussion_date,
        "edit": RiskStep.description,
    }[callback_data.action]
    await query.answer()
    await state.clear()
    await state.update_data(risk_id=risk.id)
    await state.set_state(step)
    await ask(query.message, state)  # type: ignore[arg-type]


async def enter_dispute_reason(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    risk_id = (await state.get_data())["risk_id"]
    try:
        text_or_refuse(message.text, COMMENT_MAX)
    except ServiceError as error:
        await refuse_and_reask(message, state, error)
        return
    await state.clear()
    try:
        await risk_service.answer_proposal(
            session, clock, actor=person, risk_id=risk_id, accept=False,
            reason=message.text, settings=settings,
        )  # fmt: skip
    except ServiceError as error:
        await message.answer(refusal(error))
        return
    await message.answer(_("risks.disputed"))


async def enter_discussion_date(
    message: Message, state: FSMContext, clock: Clock, settings: Settings
) -> None:
    today = _today(clock, settings)
    try:
        text = message.text or ""
        held_on = parse_date(text, today)
        if held_on > today and not YEAR.search(text.translate(FULLWIDTH_DIGITS)):
            # A meeting is in the past: "3月5日" typed after it means the last 3月5日.
            held_on = held_on.replace(year=held_on.year - 1)
        if held_on > today:
            raise DateRefused("future")
    except DateRefused as refused:
        await ask(message, state, prefix=_(f"register.date_{refused.reason}"))
        return
    except ValueError:
        await ask(message, state, prefix=_("register.date_invalid"))
        return
    await state.update_data(held_on=held_on.isoformat())
    await state.set_state(RiskStep.discussion_summary)
    await ask(message, state)


async def enter_discussion_summary(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    data = await state.get_data()
    try:
        text = text_or_refuse(message.text, DESCRIPTION_MAX)
    except ServiceError as error:
        await refuse_and_reask(message, state, error)
        return
    await state.clear()
    try:
        risk = await risk_service.record_discussion(
            session, clock, actor=person, risk_id=data["risk_id"],
            held_on=date.fromisoformat(data["held_on"]), summary=text, settings=settings,
        )  # fmt: skip
    except ServiceError as error:
        await message.answer(refusal(error))
        return
    builder = InlineKeyboardBuilder()
    _button(builder, _("risks.self_ok"), "self_ok", id=risk.id)
    await message.answer(_("risks.discussion_recorded"), reply_markup=builder.as_markup())


async def enter_new_description(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    data = await state.get_data()
    try:
        text = text_or_refuse(message.text, DESCRIPTION_MAX)
    except ServiceError as error:
        await refuse_and_reask(message, state, error)
        return
    await state.clear()
    try:
        await risk_service.edit_risk(
            session, clock, actor=person, risk_id=data["risk_id"], field="description",
            value=text, settings=settings,
        )  # fmt: skip
    except ServiceError as error:
        await message.answer(refusal(error))
        return
    await message.answer(_("risks.edited"))


async def self_confirm(
    query: CallbackQuery,
    callback_data: RiskCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    try:
        await risk_service.confirm_self_review(
            session, clock, actor=person, risk_id=callback_data.id, settings=settings
        )
    except ServiceError as error:
        await alert(query, error)
        return
    await query.answer()
    await query.message.answer(_("risks.to_committee"))  # type: ignore[union-attr]


async def start_assess(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    session: AsyncSession,
    person: Person,
) -> None:
    """A confirmed proposal: the holder grades it and adds its measures (from the factors)."""
    risk = await session.get(RiskPoint, callback_data.id)
    if risk is None or not risk_service.is_holder(person, risk):
        await alert(query, ServiceError("register.not_found"))
        return
    if risk.status != RiskState.DRAFT.value:
        await alert(query, ServiceError(f"workflow.illegal.{risk.status}"))
        return
    post = await session.get(Post, risk.post_id)
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
    await ask(query.message, state)  # type: ignore[arg-type]


async def withdraw(
    query: CallbackQuery,
    callback_data: RiskCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    try:
        await risk_service.withdraw_risk(
            session, clock, actor=person, risk_id=callback_data.id, settings=settings
        )
    except ServiceError as error:
        await alert(query, error)
        return
    await query.answer()
    await query.message.edit_text(_("risks.withdrawn"))  # type: ignore[union-attr]


async def resubmit(
    query: CallbackQuery,
    callback_data: RiskCb,
    session: AsyncSession,
    clock: Clock,
    person: Person,
    settings: Settings,
) -> None:
    """A returned record (or one due for re-grading) goes back to the review."""
    try:
        await review_service.transition(
            session, clock, review_service.ReviewConfig.from_settings(settings), actor=person,
            risk_id=callback_data.id, decision=review_service.Decision(Action.RESUBMIT),
        )  # fmt: skip
    except ServiceError as error:
        await session.rollback()
        await alert(query, error)
        return
    await query.answer()
    await query.message.edit_text(_("risks.resubmitted"))  # type: ignore[union-attr]


def create_router() -> Router:
    router = Router(name=__name__)
    cb = RiskCb.filter
    router.message.register(show_risks, Command("risks"))
    router.callback_query.register(page, cb(F.action == "page"))
    router.callback_query.register(open_risk, cb(F.action == "open"))
    router.callback_query.register(start_declare, cb(F.action == "declare"))
    router.callback_query.register(power_page, Declare.power, cb(F.action == "power_page"))
    router.callback_query.register(choose_power, Declare.power, cb(F.action == "power"))
    router.callback_query.register(choose_type, Declare.risk_type, cb(F.action == "type"))
    router.callback_query.register(choose_focus, Declare.focus, cb(F.action == "focus"))
    router.callback_query.register(choose_factor, Declare.factor, cb(F.action == "factor"))
    router.callback_query.register(choose_responsible, Declare.responsible, cb(F.action == "who"))
    router.callback_query.register(
        responsible_page, Declare.responsible, cb(F.action == "who_page")
    )
    router.callback_query.register(quick_pick, Declare.deadline, cb(F.action == "quick"))
    router.callback_query.register(rule_page, Declare.rule, cb(F.action == "rule_page"))
    router.callback_query.register(choose_rule, Declare.rule, cb(F.action == "rule"))
    router.callback_query.register(more_measures, Declare.more, cb(F.action == "more"))
    router.callback_query.register(measures_done, Declare.more, cb(F.action == "done"))
    router.callback_query.register(submit, Declare.confirm, cb(F.action == "save"))
    router.callback_query.register(abort, Declare.confirm, cb(F.action == "abort"))
    router.callback_query.register(accept, cb(F.action == "accept"))
    router.callback_query.register(start_step, cb(F.action.in_({"dispute", "discuss", "edit"})))
    router.callback_query.register(self_confirm, cb(F.action == "self_ok"))
    router.callback_query.register(start_assess, cb(F.action == "assess"))
    router.callback_query.register(withdraw, cb(F.action == "withdraw"))
    router.callback_query.register(resubmit, cb(F.action == "resubmit"))
    text_steps = (
        (Declare.description, enter_description),
        (Declare.measure_action, enter_measure),
        (Declare.deadline, enter_deadline),
        (RiskStep.dispute_reason, enter_dispute_reason),
        (RiskStep.discussion_date, enter_discussion_date),
        (RiskStep.discussion_summary, enter_discussion_summary),
        (RiskStep.description, enter_new_description),
    )
    for step, handler in text_steps:
        router.message.register(handler, step, F.text, ~F.text.startswith("/"))
        router.message.register(reask, step, ~F.text)
    # Button-only steps: anything typed (or sent) gets the question and its buttons again.
    for step in (
        Declare.power,
        Declare.risk_type,
        Declare.focus,
        Declare.factor,
        Declare.responsible,
        Declare.rule,
        Declare.more,
        Declare.confirm,
    ):
        router.message.register(reask, step, ~F.text)
        router.message.register(_reask_typed, step, F.text, ~F.text.startswith("/"))
    return router


async def _reask_typed(message: Message, state: FSMContext) -> None:
    await ask(message, state, prefix=_("register.use_buttons"))
