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
    FREQUENCY = "f"  # chose how often (value: the frequency's index): ask the hour
    HOUR = "h"  # chose the hour (value: frequency index, hour): subscribe
    PAUSE = "p"
    RESUME = "r"
    UNITS = "g"  # commission: a page of units with leaders (value: offset)
    UNIT = "u"  # commission: subscribe every leader of a unit (value: unit id)
    BACK = "b"  # back to the subscription screen


class DigestCb(CallbackData, prefix="dg"):
    action: DigestAction
    value: int = 0
    hour: int = 0
