"""The register's plain rules: deadlines, text limits, overdue, and the fixed vocabularies.

No aiogram and no database here, so each rule is tested on its own. The suggested level from
the five factors is the grading issue's rule: `bot.domain.grading.suggested_level`.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.keys import N_
from bot.domain.text_length import is_blank, utf16_len

# 风险类型, in the order the buttons show them; stored as these keys.
RISK_TYPES: tuple[str, ...] = ("moral", "duty", "system", "external", "process")
# Default power categories by scope (DOMAIN.md); a unit may configure its own.
DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "external": (
        "行政许可/审批",
        "行政处罚",
        "行政征收",
        "行政强制",
        "行政给付",
        "行政确认",
        "行政裁决",
        "行政奖励",
        "其他",
    ),
    "internal": ("决策权", "组织人事权", "财务管理权", "财物购置权", "其他"),
}
# Focus programmes (强农惠农) offered when none are configured.
DEFAULT_FOCUS_PROGRAMMES: tuple[str, ...] = (
    "粮食综合直补",
    "退耕还林补贴",
    "家电下乡补贴",
    "扶贫救济",
    "农村低保",
    "合作医疗",
)

# Text limits, in Telegram's units (UTF-16, as typed): longer input is refused, never cut.
# Cards show a record whole when it fits a message, else summarised with the full text beside.
NAME_MAX = 200
CONTENT_MAX = 2000
SUBJECT_MAX = 200
LEGAL_BASIS_MAX = 1000
DESCRIPTION_MAX = 1000
MEASURE_MAX = 500
RESPONSIBLE_MAX = 100
NOTE_MAX = 500
COMMENT_MAX = 500
RULE_TITLE_MAX = 300
RULE_KIND_MAX = 50
CATEGORY_MAX = 50
# Control measures per risk point: more is a sign of pasting a whole regulation (the bot's
# declaration and the register import both hold to it).
MEASURES_MAX = 20
# Deadlines further out than this are almost certainly a typo (2206 for 2026).
DEADLINE_HORIZON_DAYS = 5 * 366


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


TEXT_PROBLEM_KEYS: dict[TextProblem, str] = {
    TextProblem.EMPTY: N_("register.text_empty"),
    TextProblem.TOO_LONG: N_("register.text_too_long"),
}


class TextRefused(ValueError):
    """The text is empty or over its limit; `limit` is for the message."""

    def __init__(self, problem: TextProblem, limit: int) -> None:
        super().__init__(f"{problem.value} (limit {limit})")
        self.problem = problem
        self.limit = limit

    @property
    def key(self) -> str:
        """The message saying what is wrong (it takes `limit`)."""
        return TEXT_PROBLEM_KEYS[self.problem]


def clean_text(text: str | None, limit: int, *, required: bool = True) -> str:
    """The text stripped, or `TextRefused` when blank (if required) or longer than `limit`.

    Blank counts zero-width characters as nothing; the length is Telegram's (UTF-16 units of
    the text as typed, so an emoji counts two and `&` one)."""
    value = "" if is_blank(text) else (text or "").strip()
    if required and not value:
        raise TextRefused(TextProblem.EMPTY, limit)
    if utf16_len(value) > limit:
        raise TextRefused(TextProblem.TOO_LONG, limit)
    return value


# --- dates ------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_ZH_FULL = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_ZH_SHORT = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_SHORT = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


# Why a typed date is refused, by `DateRefused.reason`.
DATE_REFUSAL_KEYS: dict[str, str] = {
    "format": N_("register.date_format"),
    "invalid": N_("register.date_invalid"),
    "past": N_("register.date_past"),
    "too_far": N_("register.date_too_far"),
}


class DateRefused(ValueError):
    """Not a date we understand, not a real date, or out of the allowed range."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "format" / "invalid" / "past" / "too_far"

    @property
    def key(self) -> str:
        """The message saying why, in words."""
        return DATE_REFUSAL_KEYS[self.reason]


def parse_date(text: str, today: date) -> date:
    """A date typed as 2026-12-31, 2026/12/31, 2026年12月31日 or, without a year, 12月31日.

    Without a year the next such day on or after `today` is meant (in December, "1月15日" is
    next January). Full-width digits (from Chinese keyboards) are accepted.
    """
    value = text.strip().translate(_FULLWIDTH)
    match = _ISO.match(value) or _ZH_FULL.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _make(year, month, day)
    match = _ZH_SHORT.match(value) or _SHORT.match(value)
    if match:
        month, day = (int(part) for part in match.groups())
        candidate = _make(today.year, month, day, leap_ok=True)
        if candidate < today:
            candidate = _make(today.year + 1, month, day)
        return candidate
    raise DateRefused("format")


def _make(year: int, month: int, day: int, *, leap_ok: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and month == 2 and day == 29:
            # 2月29日 typed in a non-leap year: the next leap year's, not an error.
            for ahead in range(1, 5):
                try:
                    return date(year + ahead, 2, 29)
                except ValueError:
                    continue
        raise DateRefused("invalid") from None


def parse_deadline(text: str, today: date) -> date:
    """A measure's deadline: a date as `parse_date` reads it, not past, not absurdly far."""
    deadline = parse_date(text, today)
    check_deadline(deadline, today)
    return deadline


def check_deadline(deadline: date, today: date) -> None:
    if deadline < today:
        raise DateRefused("past")
    if deadline > today + timedelta(days=DEADLINE_HORIZON_DAYS):
        raise DateRefused("too_far")


def end_of_month(today: date) -> date:
    return date(today.year, today.month, monthrange(today.year, today.month)[1])


def end_of_quarter(today: date) -> date:
    month = ((today.month - 1) // 3 + 1) * 3
    return date(today.year, month, monthrange(today.year, month)[1])


def end_of_year(today: date) -> date:
    return date(today.year, 12, 31)


class QuickPick(StrEnum):
    """Deadline buttons: computed from the day the button is pressed, not when it was shown."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


QUICK_PICK_KEYS: dict[QuickPick, str] = {
    QuickPick.MONTH: N_("risks.quick.month"),
    QuickPick.QUARTER: N_("risks.quick.quarter"),
    QuickPick.YEAR: N_("risks.quick.year"),
}


def quick_deadline(pick: QuickPick | str, today: date) -> date:
    pick = QuickPick(pick)
    if pick is QuickPick.MONTH:
        return end_of_month(today)
    if pick is QuickPick.QUARTER:
        return end_of_quarter(today)
    return end_of_year(today)


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day in the programme's time zone (deadlines are local days)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def is_overdue(deadline: date, status: str, today: date) -> bool:
    """A measure not done whose deadline day has passed (the deadline day itself is fine)."""
    return status != "done" and deadline < today


def days_left(deadline: date, today: date) -> int:
    return (deadline - today).days
