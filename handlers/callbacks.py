"""Every `CallbackData` of the bot in one place: unique short prefixes, actions as enums, ids only.

(The publicity branch adds its classes here; the existing ones move here with issue 10.)
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class FeedbackAction(StrEnum):
    START = "start"  # "意见反馈 / Give feedback" on a public risk card


class FeedbackCb(CallbackData, prefix="fb"):
    """The feedback flow's buttons; `item_id` is a `PublicityItem.id` (see publicity.lookup)."""

    action: FeedbackAction
    item_id: int = 0
    value: int = 0


class RoundWizardAction(StrEnum):
    NEW = "new"
    SCOPE_ALL = "all"
    SCOPE_PICK = "pick"
    TOGGLE = "tog"
    PAGE = "page"
    UNITS_DONE = "done"
    ACTIVE = "act"  # value 1: include active risks again, 0: not
    START_NOW = "now"
    START_DATE = "date"
    CONFIRM = "ok"
    ABORT = "abort"
    BROWSE = "browse"  # an admin's way to the citizens' view


class RoundWizardCb(CallbackData, prefix="pu"):
    """The commission's /publicity wizard (opening a round)."""

    action: RoundWizardAction
    value: int = 0


class BrowseAction(StrEnum):
    ROUNDS = "rounds"
    ROUND = "round"  # a round's units, paged
    UNIT = "unit"  # a unit's risk cards, paged
    CARD = "card"  # one card (from a deep link's unit, or back)


class BrowseCb(CallbackData, prefix="pb"):
    """Citizens browsing open rounds: rounds → units → cards."""

    action: BrowseAction
    round_id: int = 0
    unit_id: int = 0
    page: int = 0


class SubscribeAction(StrEnum):
    ALL = "all"
    TOGGLE = "tog"
    PAGE = "page"
    SAVE = "save"
    OFF = "off"


class SubscribeCb(CallbackData, prefix="sb"):
    """/subscribe: paged toggles of units, or all."""

    action: SubscribeAction
    value: int = 0
