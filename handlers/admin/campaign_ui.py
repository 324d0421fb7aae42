"""What /campaign's screens share: the states, the callback data, labels and small helpers."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.campaign_rules import NAME_MAX, Requirement
from handlers.callbacks import CampaignAction, CampaignCb
from handlers.register_ui import Question
from handlers.ui.labels import REQUIREMENT, label
from handlers.ui.pickers import choices

REQUIREMENTS: tuple[Requirement, ...] = tuple(Requirement)
QUICK_DAYS = (7, 14, 30)
NAME_BUTTONS = 8  # "names" buttons on a card (units with posts missing, the first ones)
CARD_UNITS = 30  # unit lines on a card (a message holds 4096 characters)
NAMES_LISTED = 60  # missing posts listed for one unit


def requirement_label(requirement: Requirement) -> str:
    return label(REQUIREMENT, requirement)


def abort_button() -> tuple[str, CampaignCb]:
    return _("campaign.abort"), CampaignCb(action=CampaignAction.ABORT)


def _requirement_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    return choices(
        [requirement_label(requirement) for requirement in REQUIREMENTS],
        lambda index: CampaignCb(action=CampaignAction.REQ, value=index),
        extra=[abort_button()],
    )


def _deadline_keyboard(_data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for days in QUICK_DAYS:
        builder.button(
            text=_("campaign.in_days").format(days=days),
            callback_data=CampaignCb(action=CampaignAction.DAYS, value=days),
        )
    builder.button(text=_("campaign.abort"), callback_data=abort_button()[1])
    builder.adjust(len(QUICK_DAYS), 1)
    return builder.as_markup()


class CampaignFlow(StatesGroup):
    name = Question("campaign.ask_name", values={"limit": NAME_MAX})
    units = State()  # asked by the wizard: its toggles edit the question in place
    requirement = Question("campaign.ask_requirement", _requirement_keyboard)
    deadline = Question("campaign.ask_deadline", _deadline_keyboard)
    confirm = State()
