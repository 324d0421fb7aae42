"""What /campaign's screens share: the states, the callback data, labels and small helpers."""

from __future__ import annotations

from contextlib import suppress

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.domain.campaign_rules import Requirement
from bot.domain.errors import ServiceError
from handlers.callbacks import CampaignCb
from handlers.register_ui import refusal
from handlers.ui.query import message_of

REQUIREMENTS: tuple[Requirement, ...] = tuple(Requirement)
QUICK_DAYS = (7, 14, 30)
NAME_BUTTONS = 8  # "names" buttons on a card (units with posts missing, the first ones)
CARD_UNITS = 30  # unit lines on a card (a message holds 4096 characters)
NAMES_LISTED = 60  # missing posts listed for one unit


class CampaignFlow(StatesGroup):
    name = State()
    units = State()
    requirement = State()
    deadline = State()
    confirm = State()


def requirement_label(requirement: Requirement) -> str:
    labels = {
        Requirement.POWERS: _("campaign.req.powers"),
        Requirement.RISKS: _("campaign.req.risks"),
        Requirement.MEASURES: _("campaign.req.measures"),
        Requirement.REGRADING: _("campaign.req.regrading"),
    }
    return labels[requirement]


async def alert(query: CallbackQuery, error: ServiceError) -> None:
    await query.answer(refusal(error), show_alert=True)


async def edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    with suppress(TelegramBadRequest):  # "message is not modified" when nothing moved
        await message_of(query).edit_text(text, reply_markup=keyboard)


def button(text: str, data: CampaignCb) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())
