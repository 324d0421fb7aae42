"""Which weekly re-grading reminder is due: the dedup key's week, a pure function."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.scheduling.regrading_reminders import reminder_week

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("waited", "after", "week"),
    [
        (0 * DAY, 7 * DAY, None),
        (7 * DAY - timedelta(seconds=1), 7 * DAY, None),
        (7 * DAY, 7 * DAY, 0),
        (13 * DAY, 7 * DAY, 0),  # daily runs in the first week: the same key, sent once
        (14 * DAY, 7 * DAY, 1),
        (40 * DAY, 21 * DAY, 2),
        (3 * DAY, 1 * DAY, 0),
    ],
)
def test_reminder_week(waited: timedelta, after: timedelta, week: int | None) -> None:
    assert reminder_week(waited, after) == week


def test_a_late_run_sends_that_weeks_reminder_once() -> None:
    """A run missed on day 14 and made up on day 16 still falls in week 1, not a new one."""
    assert reminder_week(14 * DAY, 7 * DAY) == reminder_week(16 * DAY, 7 * DAY) == 1
