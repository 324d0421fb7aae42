"""定期调整: revising a due risk's control measures — edit one's text, deadline or 责任主体,
add one with the declaration's steps (what → 责任主体 → deadline), or remove one.

The declaration's keyboards (colleagues, quick deadlines) send its own callbacks; here they
answer these steps. Every write goes through `bot.services.regrading`, which re-checks the
holder and the state; typed input that is refused is asked again, the database untouched.
Each press writes its answer into the pressed message (`handlers/ui/trail.py`) and the next
screen or question comes below, so only the newest message has buttons.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.errors import ServiceError
from bot.domain.register_rules import (
    MEASURE_MAX,
    QuickPick,
)
from bot.services import regrading
from bot.services.risks import MeasureDraft
from handlers.callbacks import RegradeAction, RegradeCb, RiskAction, RiskCb
from handlers.register_ui import (
    ask,
    day,
    quote,
    reask,
)
from handlers.staff.regrading import Regrade, config_of, holders_view, reask_typed, send_card
from handlers.staff.risks import (
    load_people,
    responsible_page,  # the declaration's colleague pager serves these steps as it is
)
from handlers.ui.context import Ctx
from handlers.ui.once import create_once
from handlers.ui.pickers import buttons
from handlers.ui.refusals import step_data
from handlers.ui.steps import DeadlineStep, ends_step, next_step, typed
from handlers.ui.trail import answer_choice, drop_keyboard
from storage.models.register import ControlMeasure

QUICK_PICKS = tuple(QuickPick)
SHORT = 24  # characters of a measure's text on its button


# --- the measures ------------------------------------------------------------------


def _short(text: str) -> str:
    """A measure's text on its button: the first SHORT characters."""
    return text if len(text) <= SHORT else text[:SHORT] + "…"


async def list_measures(
    query: CallbackQuery,
    callback_data: RegradeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    measures = (await holders_view(ctx, callback_data.r)).sit.risk.measures
    await state.clear()
    message = await answer_choice(query)
    r = callback_data.r
    keyboard = buttons(
        *[
            (
                f"✏️ {number}. {_short(measure.action)}",
                RegradeCb(a=RegradeAction.MEASURE, r=r, m=measure.id),
            )
            for number, measure in enumerate(measures, start=1)
        ],
        (_("regrading.btn.add_measure"), RegradeCb(a=RegradeAction.ADD_MEASURE, r=r)),
        (_("regrading.btn.back"), RegradeCb(a=RegradeAction.OPEN, r=r)),
    )
    await message.answer(_("regrading.measures_title"), reply_markup=keyboard)


async def one_measure(query: CallbackQuery, callback_data: RegradeCb, ctx: Ctx) -> None:
    shown = await holders_view(ctx, callback_data.r)
    measure = next((m for m in shown.sit.risk.measures if m.id == callback_data.m), None)
    if measure is None:
        raise ServiceError("regrading.measure_gone")
    message = await answer_choice(query)
    r, m = callback_data.r, callback_data.m
    builder = InlineKeyboardBuilder()
    for caption, action in (
        (_("regrading.btn.measure_text"), RegradeAction.MEASURE_TEXT),
        (_("regrading.btn.measure_deadline"), RegradeAction.MEASURE_DEADLINE),
        (_("regrading.btn.measure_who"), RegradeAction.MEASURE_WHO),
        (_("regrading.btn.measure_remove"), RegradeAction.MEASURE_REMOVE),
    ):
        builder.button(text=caption, callback_data=RegradeCb(a=action, r=r, m=m))
    builder.button(
        text=_("regrading.btn.back"), callback_data=RegradeCb(a=RegradeAction.MEASURES, r=r)
    )
    builder.adjust(2, 2, 1)
    text = _("regrading.measure").format(
        action=quote(measure.action),
        who=quote(measure.responsible_name),
        deadline=day(measure.deadline),
    )
    await message.answer(text, reply_markup=builder.as_markup())


async def start_measure_step(
    query: CallbackQuery,
    callback_data: RegradeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    """Edit a measure's text / deadline / 责任主体, or add one: the step's question."""
    unit_id = (await holders_view(ctx, callback_data.r)).sit.unit_id
    step = STEPS[callback_data.a]
    await state.clear()
    if step is Regrade.measure_responsible:
        await load_people(state, ctx, unit_id, 0)
    await next_step(
        query, state, step, risk_id=callback_data.r, measure_id=callback_data.m, unit_id=unit_id
    )


async def _change(
    message: Message,
    state: FSMContext,
    ctx: Ctx,
    change: regrading.MeasureChange,
) -> None:
    data = await step_data(state)
    await _save(
        message,
        state,
        ctx,
        int(data["risk_id"]),
        regrading.revise_measure(
            ctx.session,
            ctx.clock,
            config_of(ctx.settings),
            actor=ctx.person,
            risk_id=int(data["risk_id"]),
            measure_id=int(data["measure_id"]),
            change=change,
        ),
        reask_on=("register.text_", "register.date_"),
        done=_("regrading.measure_saved"),
    )


async def _save(
    message: Message,
    state: FSMContext,
    ctx: Ctx,
    risk_id: int,
    write: Awaitable[object],
    *,
    reask_on: tuple[str, ...],
    done: str,
) -> None:
    """Run one measure write: typed input the service refuses (`reask_on` key prefixes) is
    asked again; any other refusal ends the step; success shows the card again."""
    async with ends_step(state, mend=reask_on):
        await write
    await drop_keyboard(message, state)  # a typed last answer: its question's buttons are spent
    await state.clear()
    await send_card(message, ctx, risk_id, prefix=done)


async def enter_measure_text(message: Message, state: FSMContext, ctx: Ctx) -> None:
    text = typed(message.text, MEASURE_MAX)
    await _change(message, state, ctx, regrading.MeasureChange(action=text))


async def _deadline_chosen(message: Message, state: FSMContext, ctx: Ctx, deadline: date) -> None:
    """Typed or picked, a deadline ends its step: the new measure's, or a measure's revision."""
    if await state.get_state() == Regrade.add_deadline.state:
        await _add(message, state, ctx, deadline)
        return
    change = regrading.MeasureChange(deadline=deadline)
    await _change(message, state, ctx, change)


DEADLINE = DeadlineStep(_deadline_chosen)


async def choose_measure_responsible(
    query: CallbackQuery,
    callback_data: RiskCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    # 0 is "me" (the holder); the service checks a colleague belongs to the post's unit.
    await _change(
        await answer_choice(query),
        state,
        ctx,
        regrading.MeasureChange(responsible_id=callback_data.id or 0),
    )


async def remove_measure(query: CallbackQuery, callback_data: RegradeCb, ctx: Ctx) -> None:
    await regrading.remove_measure(
        ctx.session,
        ctx.clock,
        config_of(ctx.settings),
        actor=ctx.person,
        risk_id=callback_data.r,
        measure_id=callback_data.m,
    )
    message = await answer_choice(query)
    await send_card(message, ctx, callback_data.r, prefix=_("regrading.measure_removed"))


# --- adding a measure (the declaration's steps: what → 责任主体 → deadline) ---------------------


async def enter_new_measure(message: Message, state: FSMContext, ctx: Ctx) -> None:
    text = typed(message.text, MEASURE_MAX)
    data = await state.get_data()
    await load_people(state, ctx, data.get("unit_id"), 0)
    await state.update_data(new_action=text)
    await state.set_state(Regrade.add_responsible)
    await ask(message, state)


async def choose_new_responsible(
    query: CallbackQuery, callback_data: RiskCb, state: FSMContext
) -> None:
    await next_step(query, state, Regrade.add_deadline, new_responsible=callback_data.id or None)


async def _add(message: Message, state: FSMContext, ctx: Ctx, deadline: date) -> None:
    data = await step_data(state)
    draft = MeasureDraft(
        action=data.get("new_action", ""),
        deadline=deadline,
        responsible_id=data.get("new_responsible"),
    )
    add = create_once(state, ctx, ControlMeasure, lambda: regrading.add_measure(
        ctx.session, ctx.clock, config_of(ctx.settings), actor=ctx.person,
        risk_id=int(data["risk_id"]), draft=draft,
    ))  # fmt: skip
    await _save(
        message,
        state,
        ctx,
        int(data["risk_id"]),
        add,
        reask_on=("register.date_",),
        done=_("regrading.measure_added"),
    )


# The button that starts a step → the step (editing one measure, or adding one).
STEPS = {
    RegradeAction.MEASURE_TEXT: Regrade.measure_text,
    RegradeAction.MEASURE_DEADLINE: Regrade.measure_deadline,
    RegradeAction.MEASURE_WHO: Regrade.measure_responsible,
    RegradeAction.ADD_MEASURE: Regrade.add_action,
}


def create_router() -> Router:
    router = Router(name=__name__)
    cb, rk = RegradeCb.filter, RiskCb.filter
    router.callback_query.register(list_measures, cb(F.a == RegradeAction.MEASURES))
    router.callback_query.register(one_measure, cb(F.a == RegradeAction.MEASURE))
    router.callback_query.register(
        start_measure_step,
        cb(F.a.in_(set(STEPS))),
    )
    router.callback_query.register(remove_measure, cb(F.a == RegradeAction.MEASURE_REMOVE))
    for step in (Regrade.measure_deadline, Regrade.add_deadline):
        router.callback_query.register(DEADLINE.pressed, step, rk(F.action == RiskAction.QUICK))
    for step in (Regrade.measure_responsible, Regrade.add_responsible):
        router.callback_query.register(responsible_page, step, rk(F.action == RiskAction.WHO_PAGE))
        router.message.register(reask, step, ~F.text)
        router.message.register(reask_typed, step, F.text, ~F.text.startswith("/"))
    router.callback_query.register(
        choose_measure_responsible, Regrade.measure_responsible, rk(F.action == RiskAction.WHO)
    )
    router.callback_query.register(
        choose_new_responsible, Regrade.add_responsible, rk(F.action == RiskAction.WHO)
    )
    text_steps = (
        (Regrade.measure_text, enter_measure_text),
        (Regrade.measure_deadline, DEADLINE.typed),
        (Regrade.add_action, enter_new_measure),
        (Regrade.add_deadline, DEADLINE.typed),
    )
    for step, handler in text_steps:
        router.message.register(handler, step, F.text, ~F.text.startswith("/"))
        router.message.register(reask, step, ~F.text)
    return router
