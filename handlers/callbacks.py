"""Callback data of the leaders' screens (every `CallbackData` class belongs here: ids only,
a unique short prefix, actions as a `StrEnum`; the other screens' classes move here with the
architecture work)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class OverviewAction(StrEnum):
    UNIT = "u"  # show a unit's figures (0: the scope's top), edited in place
    RANK = "r"  # the ranking of the units under it
    CHART = "c"  # send the chart of the units under it


class OverviewCb(CallbackData, prefix="ov"):
    action: OverviewAction
    unit_id: int = 0
    page: int = 0


class DigestAction(StrEnum):
    FREQUENCY = "f"  # subscribe (or change) at a frequency
    HOUR = "h"  # the local hour it comes at
    PAUSE = "p"
    RESUME = "r"
    UNIT = "u"  # commission: subscribe every leader of a unit
    UNITS_PAGE = "g"


class DigestCb(CallbackData, prefix="dg"):
    action: DigestAction
    value: int = 0
