"""The declaration's states, step keyboards and questions (built from the flow's data, so a
flow resumed after a restart gets them back)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.clock import Clock
from bot.domain.grading import FACTORS
from bot.domain.register_rules import (
    RISK_TYPES,
    QuickPick,
    local_today,
)
from bot.settings import Settings
from handlers.callbacks import RiskAction, RiskCb
from handlers.keyboards import PAGE_SIZE
from handlers.register_ui import (
    ask,
    register_prompt,
    risk_type_label,
)
from handlers.ui.labels import FACTOR_QUESTION, FACTOR_SCALE, QUICK_PICK, label

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


def button(builder: InlineKeyboardBuilder, text: str, action: RiskAction, **values: int) -> None:
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
        button(builder, first, choose, id=0)
    for item_id, name in items:
        button(builder, name, choose, id=item_id)
    builder.adjust(1)
    nav = InlineKeyboardBuilder()
    if offset > 0:
        button(nav, _("nav.previous"), page, value=max(0, offset - PAGE_SIZE))
    if offset + PAGE_SIZE < total:
        button(nav, _("nav.next"), page, value=offset + PAGE_SIZE)
    builder.attach(nav)
    if last is not None:
        builder.row()
        button(builder, last, choose, id=0)
    return builder.as_markup()


def power_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    offset, powers = data.get("power_offset", 0), data.get("powers", [])
    return _paged_choices(
        powers[offset : offset + PAGE_SIZE],
        offset=offset,
        total=len(powers),
        choose="power",
        page="power_page",
        last=_("risks.no_power"),
    )


def type_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, value in enumerate(RISK_TYPES):
        button(builder, risk_type_label(value), "type", value=index)
    builder.adjust(2)
    return builder.as_markup()


def focus_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(data.get("focus_list", [])):
        button(builder, name, "focus", value=index + 1)
    button(builder, _("risks.no_focus"), RiskAction.FOCUS, value=0)
    builder.adjust(2)
    return builder.as_markup()


def factor_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in range(1, 6):
        button(builder, label(FACTOR_SCALE, value), "factor", value=value)
    builder.adjust(1)
    return builder.as_markup()


def factor_prompt_key(data: dict[str, Any]) -> str:
    index = min(int(data.get("factor_index", 0)), len(FACTORS) - 1)
    return FACTOR_QUESTION[FACTORS[index].value]


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
        button(builder, label(QUICK_PICK, pick), "quick", value=index)
    builder.adjust(3)
    return builder.as_markup()


def rule_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    offset, rules = data.get("rule_offset", 0), data.get("rules", [])
    return _paged_choices(
        rules[offset : offset + PAGE_SIZE],
        offset=offset,
        total=len(rules),
        choose="rule",
        page="rule_page",
        last=_("risks.no_rule"),
    )


def more_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    button(builder, _("risks.add_measure"), RiskAction.MORE)
    button(builder, _("risks.measures_done"), RiskAction.DONE)
    builder.adjust(1)
    return builder.as_markup()


register_prompt(Declare.power.state, "risks.ask_power", power_keyboard)
register_prompt(Declare.description.state, "risks.ask_description")
register_prompt(Declare.risk_type.state, "risks.ask_type", type_keyboard)
register_prompt(Declare.focus.state, "risks.ask_focus", focus_keyboard)
register_prompt(Declare.factor.state, factor_prompt_key, factor_keyboard)
register_prompt(Declare.measure_action.state, "risks.ask_measure")
register_prompt(Declare.responsible.state, "risks.ask_responsible", responsible_keyboard)
register_prompt(Declare.deadline.state, "risks.ask_deadline", deadline_keyboard)
register_prompt(Declare.rule.state, "risks.ask_rule", rule_keyboard)
register_prompt(Declare.more.state, "risks.ask_more", more_keyboard)
register_prompt(RiskStep.dispute_reason.state, "risks.ask_dispute_reason")
register_prompt(RiskStep.discussion_date.state, "risks.ask_discussion_date")
register_prompt(RiskStep.discussion_summary.state, "risks.ask_discussion_summary")
register_prompt(RiskStep.description.state, "risks.ask_description")


def stale(query: CallbackQuery) -> Any:
    return query.answer(_("fallback.stale_button"), show_alert=True)


def today_of(clock: Clock, settings: Settings) -> date:
    return local_today(clock.now(), settings.timezone)


async def reask_typed(message: Message, state: FSMContext) -> None:
    await ask(message, state, prefix=_("register.use_buttons"))
