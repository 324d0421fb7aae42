"""Every button's callback data, in one place: unique short prefixes, actions as StrEnums,
ids and small numbers only (never names), within Telegram's 64 bytes."""

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


# --- the annual assessment and reports -----------------------------------------------------


class AssessmentAction(StrEnum):
    PAGE = "page"  # page 0: the ranking; 1…N: the units' cards, best first
    CONFIRM = "confirm"  # asks first
    CONFIRM_YES = "yes"


class AssessmentCb(CallbackData, prefix="as"):
    action: AssessmentAction
    year: int
    page: int = 0


class ReportPeriod(StrEnum):
    YEAR = "year"  # the year to date
    LAST_YEAR = "last_year"
    QUARTER = "quarter"  # the quarter to date
    MONTH = "month"


class ReportCb(CallbackData, prefix="rp"):
    period: ReportPeriod
