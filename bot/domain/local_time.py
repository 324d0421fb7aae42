"""Every moment people read, in the configured zone (`TIMEZONE`): the one place that formats one.

Stored moments are UTC; SQLite hands them back without a zone, so a naive moment is read as
UTC. Screens, notices, files and captions format through `minute()` or `day()`, never with
their own `strftime`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MINUTE = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"
STAMP = "%Y%m%d"  # a file name's date


def local(moment: datetime, timezone: str) -> datetime:
    """`moment` as a wall-clock time in `timezone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone))


def local_date(moment: datetime, timezone: str) -> date:
    return local(moment, timezone).date()


def minute(moment: datetime, timezone: str) -> str:
    """2026-03-02 01:30"""
    return local(moment, timezone).strftime(MINUTE)


def day(moment: datetime, timezone: str) -> str:
    """2026-03-02"""
    return local(moment, timezone).strftime(DAY)


def stamp(moment: datetime, timezone: str) -> str:
    """20260302, for a file name."""
    return local(moment, timezone).strftime(STAMP)
