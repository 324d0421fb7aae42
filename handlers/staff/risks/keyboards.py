"""The declaration's states, step keyboards and questions (built from the flow's data, so a
flow resumed after a restart gets them back)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.grading import FACTORS
from bot.domain.register_rules import (
    RISK_TYPES,
    QuickPick,
)
from handlers.callbacks import RiskAction, RiskCb
from handlers.register_ui import Question, risk_type_label
from handlers.ui.labels import FACTOR_QUESTION, FACTOR_SCALE, N_, QUICK_PICK, label
from handlers.ui.pickers import choices, paged, paged_stored, pressing
from handlers.ui.query import show_choices

QUICK_PICKS = tuple(QuickPick)
YEAR = re.compile(r"\d{4}")
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def button(builder: InlineKeyboardBuilder, text: str, action: RiskAction, **values: int) -> None:
    builder.button(text=text[:60], callback_data=RiskCb(action=action, **values))


# --- step keyboards (built from the flow's data, so a resumed flow gets them back) ---------


@dataclass(frozen=True)
class StoredPicker:
    """A step's choice over a list kept in the flow's data (`items`, paged at `offset`), each
    pressing `choose` with its id; `none` (a message key) chooses none of them."""

    items: str
    offset: str
    choose: RiskAction
    page: RiskAction
    none: str

    def keyboard(self, data: dict[str, Any]) -> InlineKeyboardMarkup:
        return paged_stored(
            data.get(self.items, []),
            data.get(self.offset, 0),
            choose=pressing(RiskCb, self.choose, "id"),
            page=pressing(RiskCb, self.page),
            last=_(self.none),
        )

    async def turn(self, query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
        """‹ ›: the same question, its list at the page pressed."""
        data = await state.update_data({self.offset: max(0, callback_data.value)})
        await show_choices(query, self.keyboard(data))


POWERS = StoredPicker(
    "powers", "power_offset", RiskAction.POWER, RiskAction.POWER_PAGE, N_("risks.no_power")
)
RULES = StoredPicker(
    "rules", "rule_offset", RiskAction.RULE, RiskAction.RULE_PAGE, N_("risks.no_rule")
)
power_keyboard, rule_keyboard = POWERS.keyboard, RULES.keyboard


def risk_type_choices(press: Callable[[int], CallbackData]) -> InlineKeyboardMarkup:
    """The risk types, two to a row, each pressing `press(its index in RISK_TYPES)`."""
    return choices([risk_type_label(value) for value in RISK_TYPES], press, columns=2)


def type_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return risk_type_choices(pressing(RiskCb, RiskAction.TYPE))


def focus_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    # Programmes are numbered from 1: 0 is "none of them".
    return choices(
        data.get("focus_list", []),
        lambda index: RiskCb(action=RiskAction.FOCUS, value=index + 1),
        columns=2,
        extra=[(_("risks.no_focus"), RiskCb(action=RiskAction.FOCUS, value=0))],
    )


def factor_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    labels = [label(FACTOR_SCALE, value) for value in range(1, 6)]
    return choices(labels, lambda index: RiskCb(action=RiskAction.FACTOR, value=index + 1))


def factor_prompt_key(data: dict[str, Any]) -> str:
    index = min(int(data.get("factor_index", 0)), len(FACTORS) - 1)
    return FACTOR_QUESTION[FACTORS[index].value]


def responsible_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    return paged(
        data.get("people", []),
        offset=data.get("people_offset", 0),
        total=data.get("people_total", 0),
        choose=pressing(RiskCb, RiskAction.WHO, "id"),
        page=pressing(RiskCb, RiskAction.WHO_PAGE),
        first=_("risks.responsible_me"),
    )


def deadline_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    labels = [label(QUICK_PICK, pick) for pick in QUICK_PICKS]
    return choices(labels, pressing(RiskCb, RiskAction.QUICK), columns=3)


def more_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    button(builder, _("risks.add_measure"), RiskAction.MORE)
    button(builder, _("risks.measures_done"), RiskAction.DONE)
    builder.adjust(1)
    return builder.as_markup()


# The steps, each with its question and keyboard (defined above).
class Declare(StatesGroup):
    power = Question("risks.ask_power", power_keyboard)
    description = Question("risks.ask_description")
    risk_type = Question("risks.ask_type", type_keyboard)
    focus = Question("risks.ask_focus", focus_keyboard)
    factor = Question(factor_prompt_key, factor_keyboard)
    measure_action = Question("risks.ask_measure")
    responsible = Question("risks.ask_responsible", responsible_keyboard)
    deadline = Question("risks.ask_deadline", deadline_keyboard)
    rule = Question("risks.ask_rule", rule_keyboard)
    more = Question("risks.ask_more", more_keyboard)
    confirm = State()


class RiskStep(StatesGroup):
    """Single-question steps started from a risk card."""

    dispute_reason = Question("risks.ask_dispute_reason")
    discussion_date = Question("risks.ask_discussion_date")
    discussion_summary = Question("risks.ask_discussion_summary")
    description = Question("risks.ask_description")
