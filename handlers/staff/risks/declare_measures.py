"""Declaring a risk point: its measures (what → 责任主体 → deadline → rule; one or more)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.domain.register_rules import (
    MEASURE_MAX,
)
from bot.services import risks as risk_service
from handlers.callbacks import RiskAction, RiskCb
from handlers.register_ui import (
    ask,
)
from handlers.staff.risks.keyboards import (
    RULES,
    Declare,
    responsible_keyboard,
)
from handlers.ui.context import Ctx
from handlers.ui.pickers import PAGE_SIZE
from handlers.ui.query import show_choices
from handlers.ui.routes import Presses
from handlers.ui.steps import DeadlineStep, next_step, typed
from handlers.ui.trail import answer_choice
from storage.models.org import Person

# --- declaring: measures --------------------------------------------------------------------


PRESSES = Presses(RiskCb)


async def start_measure(
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


async def enter_measure(message: Message, state: FSMContext, ctx: Ctx) -> None:
    text = typed(message.text, MEASURE_MAX)
    data = await state.get_data()
    await load_people(state, ctx, data.get("unit_id"), 0)
    await state.update_data(current={"action": text})
    await state.set_state(Declare.responsible)
    await ask(message, state)


async def load_people(
    state: FSMContext,
    ctx: Ctx,
    unit_id: int | None,
    offset: int,
) -> dict[str, Any]:
    people, total = (
        await risk_service.colleagues(ctx.session, unit_id, offset=offset, limit=PAGE_SIZE)
        if unit_id
        else ([], 0)
    )
    return await state.update_data(
        people=[[p.id, p.name] for p in people if p.id != ctx.person.id],
        people_offset=offset,
        people_total=total,
    )


@PRESSES.on(RiskAction.WHO_PAGE, Declare.responsible)
async def responsible_page(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    unit_id = (await state.get_data()).get("unit_id")
    data = await load_people(state, ctx, unit_id, max(0, callback_data.value))
    await show_choices(query, responsible_keyboard(data))


@PRESSES.on(RiskAction.WHO, Declare.responsible)
async def choose_responsible(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    data = await state.get_data()
    current = dict(data.get("current", {}))
    if callback_data.id:
        post = await ctx.own_post()
        chosen = await risk_service.responsible_person(
            ctx.session, post, ctx.person, callback_data.id
        )
        current.update(responsible_id=chosen.id, responsible_name=chosen.name)
    else:
        current.update(responsible_id=None, responsible_name=ctx.person.name)
    await next_step(query, state, Declare.deadline, current=current)


async def _set_deadline(message: Message, state: FSMContext, ctx: Ctx, deadline: date) -> None:
    data = await state.get_data()
    current = dict(data.get("current", {}))
    current["deadline"] = deadline.isoformat()
    rules = (
        await risk_service.rules_in_force(ctx.session, data["unit_id"])
        if data.get("unit_id")
        else []
    )
    await state.update_data(current=current, rules=[[r.id, r.title] for r in rules], rule_offset=0)
    if not rules:
        await _finish_measure(message, state, None)
        return
    await state.set_state(Declare.rule)
    await ask(message, state)


DEADLINE = DeadlineStep(_set_deadline)
PRESSES.on(RiskAction.QUICK, Declare.deadline)(DEADLINE.pressed)


PRESSES.on(RiskAction.RULE_PAGE, Declare.rule)(RULES.turn)


@PRESSES.on(RiskAction.RULE, Declare.rule)
async def choose_rule(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
    rules = {rule_id: title for rule_id, title in (await state.get_data()).get("rules", [])}
    if callback_data.id and callback_data.id not in rules:
        raise ServiceError("fallback.stale_button")
    rule = [callback_data.id, rules[callback_data.id]] if callback_data.id else None
    await _finish_measure(await answer_choice(query), state, rule)


async def _finish_measure(message: Message, state: FSMContext, rule: list[Any] | None) -> None:
    data = await state.get_data()
    current = dict(data.get("current", {}))
    current["rule_id"], current["rule_title"] = rule if rule else (None, None)
    measures = [*data.get("measures", []), current]
    await state.update_data(measures=measures, current={}, _prompt_values={"n": len(measures)})
    await state.set_state(Declare.more)
    await ask(message, state)


@PRESSES.on(RiskAction.MORE, Declare.more)
async def more_measures(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    if len((await state.get_data()).get("measures", [])) >= risk_service.MEASURES_MAX:
        raise ServiceError("register.measures_too_many", limit=risk_service.MEASURES_MAX)
    await start_measure(await answer_choice(query), state, ctx.session, ctx.person)
