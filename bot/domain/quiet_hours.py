"""Quiet hours: when a non-urgent proactive message may go out (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo


class _QuietSettings(Protocol):
    quiet_hours_start: str
    quiet_hours_end: str
    timezone: str


def parse_hhmm(value: str) -> time:
    """'22:00' → time(22, 0); anything else is a ValueError that names the value."""
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as e:
        raise ValueError(f"not a HH:MM time of day: {value!r}") from e


@dataclass(frozen=True)
class QuietHours:
    """Local times [start, end) during which non-urgent messages wait; may span midnight.

    start == end means there are no quiet hours.
    """

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def from_settings(cls, settings: _QuietSettings) -> QuietHours:
        return _quiet_hours(
            settings.quiet_hours_start, settings.quiet_hours_end, settings.timezone
        )

    def is_quiet(self, moment: datetime) -> bool:
        """Whether `moment` (aware) falls in quiet hours, read on the local wall clock."""
        if self.start == self.end:
            return False
        local = moment.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself outside quiet hours, else the end of the quiet period it is in."""
        if not self.is_quiet(moment):
            return moment
        local = moment.astimezone(self.tz)
        day = local.date()
        if local.time().replace(tzinfo=None) >= self.end:
            day += timedelta(days=1)  # quiet since the evening: it ends tomorrow morning
        end = datetime.combine(day, self.end, tzinfo=self.tz).astimezone(moment.tzinfo)
        # A daylight-saving jump can land the wall-clock end inside the gap; never go back.
        return max(end, moment)


@lru_cache(maxsize=8)
def _quiet_hours(start: str, end: str, timezone: str) -> QuietHours:
    # Cached: every enqueue asks, and the configuration doesn't change while running.
    return QuietHours(parse_hhmm(start), parse_hhmm(end), ZoneInfo(timezone))
