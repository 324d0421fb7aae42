"""定期调整: the holder's re-grading card — confirm unchanged, revise factors, revise measures.

Reached from the notice that a risk is due (period up, or reopened by a reviewer with a
reason) and from its /risks card. Revising reuses the declaration's keyboards: the five
factor scales here (the new suggested level and its reason shown before saving), the
measure steps (what → 责任主体 → deadline) in `regrading_measures`. Every step is an FSM
state kept in the conversation storage, so a restart resumes it; every write is checked by
`bot.services.regrading` (only the holder, only while due).
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.errors import ServiceError
from bot.domain.grading import FACTORS, explain, factor_key, suggestion
from bot.i18n import N_
from bot.services import regrading
from bot.services.review import ReviewConfig
from bot.settings import Settings
from handlers.callbacks import RegradeAction, RegradeCb, RiskAction, RiskCb
from handlers.register_ui import Question, ask, day, level_label, quote
from handlers.staff.risks import (
    deadline_keyboard,
    factor_keyboard,
    factor_prompt_key,
    responsible_keyboard,
)
from handlers.ui.context import Ctx
from handlers.ui.fit import answer_fitted
from handlers.ui.pickers import buttons
from handlers.ui.query import message_of
from handlers.ui.refusals import step_data
from handlers.ui.routes import Presses, button_steps, presses
from handlers.ui.routes import reask_typed as reask_typed  # regrading_measures asks with it
from handlers.ui.trail import answer_choice

PRESSES = Presses(RegradeCb, field="a")


def _factor_confirm_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    risk_id = int(data.get("risk_id", 0))
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("regrading.btn.save_factors"),
        callback_data=RegradeCb(a=RegradeAction.SAVE_FACTORS, r=risk_id),
    )
    builder.button(
        text=_("regrading.btn.factors_again"),
        callback_data=RegradeCb(a=RegradeAction.FACTORS, r=risk_id),
    )
    builder.button(
        text=_("regrading.btn.back"), callback_data=RegradeCb(a=RegradeAction.OPEN, r=risk_id)
    )
    builder.adjust(1)
    return builder.as_markup()


# The factor steps are asked here, the measure steps in `regrading_measures`.
class Regrade(StatesGroup):
    factor = Question(factor_prompt_key, factor_keyboard)
    factor_confirm = Question("regrading.factors_preview", _factor_confirm_keyboard)
    measure_text = Question("regrading.ask_measure_text")
    measure_deadline = Question("risks.ask_deadline", deadline_keyboard)
    measure_responsible = Question("risks.ask_responsible", responsible_keyboard)
    add_action = Question("risks.ask_measure")
    add_responsible = Question("risks.ask_responsible", responsible_keyboard)
    add_deadline = Question("risks.ask_deadline", deadline_keyboard)


def config_of(settings: Settings) -> ReviewConfig:
    return ReviewConfig.from_settings(settings)


async def holders_view(ctx: Ctx, risk_id: int) -> regrading.RegradingView:
    """The due risk as its holder sees it; refused for anyone else, or once it is not due."""
    return await regrading.view(ctx.session, config_of(ctx.settings), ctx.person, risk_id)


# --- the card -------------------------------------------------------------------------------


async def _card(ctx: Ctx, risk_id: int) -> tuple[str, InlineKeyboardMarkup]:
    shown = await holders_view(ctx, risk_id)
    risk = shown.sit.risk
    lines = [
        _("regrading.card").format(
            id=risk.id,
            description=quote(risk.description),
            level=level_label(risk.level or risk.suggested_level),
            since=day(shown.due_since.date() if shown.due_since else None),
        )
    ]
    if shown.reopen_comment:
        lines.append(_("regrading.card_reason").format(reason=quote(shown.reopen_comment)))
    if shown.grade is not None:
        lines.append(
            _("review.card.factors").format(
                factors=_("grading.separator").join(
                    f"{_(factor_key(f))} {shown.grade.factors.value(f)}" for f in FACTORS
                )
            )
        )
        lines.append(quote(suggestion(shown.grade, _)))  # the factors are listed just above
    for number, measure in enumerate(risk.measures, start=1):
        lines.append(
            _("regrading.card_measure").format(
                n=number,
                action=quote(measure.action),
                who=quote(measure.responsible_name),
                deadline=day(measure.deadline),
            )
        )
    submit_key = N_("regrading.btn.submit") if shown.changed else N_("regrading.btn.confirm")
    keyboard = buttons(
        (_(submit_key), RegradeCb(a=RegradeAction.CONFIRM, r=risk.id)),
        (_("regrading.btn.factors"), RegradeCb(a=RegradeAction.FACTORS, r=risk.id)),
        (_("regrading.btn.measures"), RegradeCb(a=RegradeAction.MEASURES, r=risk.id)),
    )
    return "\n".join(lines), keyboard


async def send_card(
    message: Message, ctx: Ctx, risk_id: int, *, prefix: str | None = None
) -> None:
    text, keyboard = await _card(ctx, risk_id)
    text = f"{prefix}\n\n{text}" if prefix else text
    await answer_fitted(message, text, reply_markup=keyboard, name=f"risk-{risk_id}")


@PRESSES.on(RegradeAction.OPEN)
async def open_card(
    query: CallbackQuery,
    callback_data: RegradeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    text, keyboard = await _card(ctx, callback_data.r)
    await state.clear()
    await query.answer()
    await message_of(query).answer(text, reply_markup=keyboard)


@PRESSES.on(RegradeAction.CONFIRM)
async def submit(
    query: CallbackQuery,
    callback_data: RegradeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    """Confirmed (unchanged or revised): back to graded review, routed by the new level."""
    sit = await regrading.resubmit(
        ctx.session, ctx.clock, config_of(ctx.settings), actor=ctx.person, risk_id=callback_data.r
    )
    await state.clear()
    await query.answer()
    await message_of(query).edit_text(
        _("regrading.submitted").format(
            id=callback_data.r, level=level_label(sit.review.suggested_level)
        )
    )


# --- revising the factors -------------------------------------------------------------------


@PRESSES.on(RegradeAction.FACTORS)
async def start_factors(
    query: CallbackQuery,
    callback_data: RegradeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    shown = await holders_view(ctx, callback_data.r)
    await query.answer()
    await state.clear()
    await state.update_data(
        risk_id=callback_data.r,
        focus=bool(shown.sit.risk.focus_programme),
        factors={},
        factor_index=0,
    )
    await state.set_state(Regrade.factor)
    await ask(message_of(query), state)


async def choose_factor(
    query: CallbackQuery, callback_data: RiskCb, state: FSMContext, settings: Settings
) -> None:
    if not 1 <= callback_data.value <= 5:
        raise ServiceError("fallback.stale_button")
    data = await step_data(state)
    index = int(data["factor_index"])
    factors = dict(data["factors"])
    factors[FACTORS[index].value] = callback_data.value
    message = await answer_choice(query)  # the factor's answer written into its question
    if index + 1 < len(FACTORS):
        await state.update_data(factors=factors, factor_index=index + 1)
        await ask(message, state)
        return
    config = config_of(settings)
    grade = regrading.preview(factors, config, focus=bool(data["focus"]))
    await state.update_data(factors=factors)
    await state.set_state(Regrade.factor_confirm)
    await ask(message, state, prefix=quote(explain(grade, _, config.rule)))


@PRESSES.on(RegradeAction.SAVE_FACTORS, Regrade.factor_confirm)
async def save_factors(
    query: CallbackQuery,
    callback_data: RegradeCb,
    state: FSMContext,
    ctx: Ctx,
) -> None:
    data = await step_data(state)
    if data["risk_id"] != callback_data.r:
        raise ServiceError("fallback.stale_button")
    grade = await regrading.revise_factors(
        ctx.session,
        ctx.clock,
        config_of(ctx.settings),
        actor=ctx.person,
        risk_id=callback_data.r,
        factors=data["factors"],
    )
    await state.clear()
    await query.answer()
    done = _("regrading.factors_saved").format(level=level_label(grade.level))
    await send_card(message_of(query), ctx, callback_data.r, prefix=done)


def create_router() -> Router:
    router = Router(name=__name__)
    PRESSES.register(router)
    # The declaration's factor keyboard sends its own callbacks; here they answer our step.
    presses(router, RiskCb, (choose_factor, RiskAction.FACTOR, Regrade.factor))
    button_steps(router, Regrade.factor, Regrade.factor_confirm)
    return router
