"""When a periodic job is due: pure arithmetic over its last run and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Every:
    """Run when `interval` has passed since the last run."""

    interval: timedelta


@dataclass(frozen=True)
class DailyAt:
    """Run once a day at a local wall-clock time (in the configured time zone)."""

    at: time


Schedule = Every | DailyAt


def latest_slot(schedule: DailyAt, now: datetime, tz: ZoneInfo) -> datetime:
    """The most recent moment ≤ now at which a daily job was meant to run."""
    local = now.astimezone(tz)
    slot = datetime.combine(local.date(), schedule.at, tzinfo=tz)
    if slot > local:
        slot -= timedelta(days=1)
    return slot


def is_due(schedule: Schedule, last_run: datetime | None, now: datetime, tz: ZoneInfo) -> bool:
    """Due at most once per slot, however long the bot was down (missed runs coalesce)."""
    if isinstance(schedule, Every):
        return last_run is None or now - last_run >= schedule.interval
    slot = latest_slot(schedule, now, tz)
    # A job that never ran runs at once, so a new installation does today's work today.
    return last_run is None or last_run < slot
