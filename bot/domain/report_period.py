"""The periods a report covers: a year, the year or quarter or month to date, last year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PeriodKind(StrEnum):
    YEAR = "year"  # a calendar year: to date while it runs
    QUARTER = "quarter"  # this quarter to date
    MONTH = "month"  # this month to date


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date  # the day the figures are counted on (never after today)

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1


def year_period(year: int, today: date) -> Period:
    """Calendar year `year`, counted on its last day or today, whichever comes first."""
    start = date(year, 1, 1)
    if start > today:
        raise ValueError(f"{year} has not begun")
    return Period(PeriodKind.YEAR, start, min(date(year, 12, 31), today))


def quarter_to_date(today: date) -> Period:
    first_month = (today.month - 1) // 3 * 3 + 1
    return Period(PeriodKind.QUARTER, date(today.year, first_month, 1), today)


def month_to_date(today: date) -> Period:
    return Period(PeriodKind.MONTH, today.replace(day=1), today)
