"""Every button's callback data, in one place: unique short prefixes, actions as StrEnums,
ids and small numbers only (never names), within Telegram's 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

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
