"""When periodic jobs are due: intervals, daily slots, missed runs coalescing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.due import DailyAt, Every, is_due, latest_slot

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_interval_job_due_after_its_interval() -> None:
    job = Every(timedelta(hours=1))
    assert is_due(job, None, at(26, 9), SHANGHAI)
    assert not is_due(job, at(26, 9), at(26, 9, 59), SHANGHAI)
    assert is_due(job, at(26, 9), at(26, 10), SHANGHAI)


def test_daily_job_runs_once_per_local_slot() -> None:
    job = DailyAt(time(8, 0))
    assert latest_slot(job, at(26, 7, 59), SHANGHAI) == at(25, 8).astimezone(SHANGHAI)
    assert is_due(job, at(25, 8, 1), at(26, 8, 0), SHANGHAI)
    assert not is_due(job, at(26, 8, 0), at(26, 23, 0), SHANGHAI)


def test_daily_job_missed_for_days_runs_once() -> None:
    job = DailyAt(time(8, 0))
    last = at(20, 8)
    assert is_due(job, last, at(26, 12), SHANGHAI)
    # After that single catch-up run, nothing more is due until tomorrow's slot.
    assert not is_due(job, at(26, 12), at(26, 13), SHANGHAI)
    assert is_due(job, at(26, 12), at(27, 8), SHANGHAI)


def test_never_run_daily_job_is_due_at_once() -> None:
    assert is_due(DailyAt(time(8, 0)), None, at(26, 3), SHANGHAI)
