"""Quiet hours (pure): when a non-urgent message may go."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.quiet_hours import QuietHours, parse_hhmm

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT = QuietHours(time(22, 0), time(8, 0), SHANGHAI)


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    """A moment given on Shanghai's wall clock."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(21, 59), at(21, 59)),  # still allowed
        (at(22, 0), at(8, 0, day=27)),  # quiet from 22:00 …
        (at(23, 30), at(8, 0, day=27)),
        (at(0, 0), at(8, 0)),  # … past midnight …
        (at(7, 59), at(8, 0)),
        (at(8, 0), at(8, 0)),  # … until 08:00
        (at(12, 0), at(12, 0)),
    ],
)
def test_default_quiet_hours(moment: datetime, expected: datetime) -> None:
    assert DEFAULT.next_allowed(moment) == expected


def test_result_keeps_the_callers_time_zone() -> None:
    moment = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    result = DEFAULT.next_allowed(moment)
    assert result == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    assert result.tzinfo == UTC


def test_equal_start_and_end_means_never_quiet() -> None:
    never = QuietHours(time(22, 0), time(22, 0), SHANGHAI)
    assert not never.is_quiet(at(22, 0))
    assert never.next_allowed(at(3, 0)) == at(3, 0)


def test_from_settings_and_parsing() -> None:
    class S:
        quiet_hours_start = "13:00"
        quiet_hours_end = "14:30"
        timezone = "Asia/Shanghai"

    lunch = QuietHours.from_settings(S())
    assert lunch.next_allowed(at(13, 10)) == at(14, 30)
    assert lunch.next_allowed(at(23, 0)) == at(23, 0)
    for bad in ("25:00", "8", "ab:cd", ""):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hhmm(bad)


times = st.times().map(lambda t: t.replace(microsecond=0, second=0))
zones = st.sampled_from([SHANGHAI, ZoneInfo("UTC"), ZoneInfo("America/New_York")])
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(start=times, end=times, tz=zones, moment=moments)
def test_next_allowed_is_the_first_allowed_moment(
    start: time, end: time, tz: ZoneInfo, moment: datetime
) -> None:
    quiet = QuietHours(start, end, tz)
    result = quiet.next_allowed(moment)
    assert result >= moment
    assert not quiet.is_quiet(result)
    if not quiet.is_quiet(moment):
        assert result == moment
    else:
        # Nothing earlier would do: the instant before is still quiet, and it's within a day.
        assert quiet.is_quiet(result - timedelta(microseconds=1))
        assert result - moment <= timedelta(days=1, hours=1)
