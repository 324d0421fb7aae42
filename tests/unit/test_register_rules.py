"""The register's plain rules: typed and quick-pick deadlines, overdue, text limits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.grading import suggested_level
from bot.domain.register_rules import (
    DESCRIPTION_MAX,
    DateRefused,
    QuickPick,
    TextProblem,
    TextRefused,
    clean_text,
    is_overdue,
    local_today,
    parse_date,
    parse_deadline,
    quick_deadline,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.12.31", date(2026, 12, 31)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("2026年12月31", date(2026, 12, 31)),
        ("２０２６年１２月３１日", date(2026, 12, 31)),
        (" 2026 年 3 月 1 日 ", date(2026, 3, 1)),
        ("12月31日", date(2026, 12, 31)),
        ("12月31号", date(2026, 12, 31)),
        ("1月15日", date(2027, 1, 15)),  # already past this year: next year's
        ("11月26日", date(2026, 11, 26)),  # today itself is this year's
        ("12-31", date(2026, 12, 31)),
        ("2月29日", date(2028, 2, 29)),  # no 29th in 2027: the next leap year
    ],
)
def test_dates_typed_every_way(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", "format"),
        ("", "format"),
        ("2026-13-01", "invalid"),
        ("2026年2月30日", "invalid"),
        ("31/12/2026", "format"),
        ("2026-12", "format"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(DateRefused) as refused:
        parse_date(text, TODAY)
    assert refused.value.reason == reason


def test_deadline_not_past_nor_absurd() -> None:
    assert parse_deadline("2026-11-26", TODAY) == TODAY
    with pytest.raises(DateRefused, match="past"):
        parse_deadline("2026-11-25", TODAY)
    with pytest.raises(DateRefused, match="too_far"):
        parse_deadline("2206-11-25", TODAY)


@pytest.mark.parametrize(
    ("today", "pick", "expected"),
    [
        (date(2026, 11, 26), QuickPick.MONTH, date(2026, 11, 30)),
        (date(2026, 2, 3), QuickPick.MONTH, date(2026, 2, 28)),
        (date(2028, 2, 3), QuickPick.MONTH, date(2028, 2, 29)),
        (date(2026, 11, 26), QuickPick.QUARTER, date(2026, 12, 31)),
        (date(2026, 1, 1), QuickPick.QUARTER, date(2026, 3, 31)),
        (date(2026, 4, 1), QuickPick.QUARTER, date(2026, 6, 30)),
        (date(2026, 9, 30), QuickPick.QUARTER, date(2026, 9, 30)),
        (date(2026, 5, 5), QuickPick.YEAR, date(2026, 12, 31)),
    ],
)
def test_quick_picks(today: date, pick: QuickPick, expected: date) -> None:
    assert quick_deadline(pick, today) == expected


def test_local_day_is_the_programmes() -> None:
    # 17:00 UTC on the 30th is already the 1st in Beijing.
    assert local_today(datetime(2026, 11, 30, 17, tzinfo=UTC), "Asia/Shanghai") == date(
        2026, 12, 1
    )


def test_overdue() -> None:
    assert is_overdue(date(2026, 11, 25), "planned", TODAY)
    assert is_overdue(date(2026, 11, 25), "blocked", TODAY)
    assert not is_overdue(date(2026, 11, 25), "done", TODAY)
    assert not is_overdue(TODAY, "in_progress", TODAY)


def test_text_refused_not_cut() -> None:
    assert clean_text("  收受好处  ", DESCRIPTION_MAX) == "收受好处"
    assert clean_text("x" * DESCRIPTION_MAX, DESCRIPTION_MAX) == "x" * DESCRIPTION_MAX
    with pytest.raises(TextRefused) as refused:
        clean_text("x" * (DESCRIPTION_MAX + 1), DESCRIPTION_MAX)
    assert refused.value.problem is TextProblem.TOO_LONG
    assert refused.value.limit == DESCRIPTION_MAX
    with pytest.raises(TextRefused):
        clean_text("   ", 10)
    assert clean_text("", 10, required=False) == ""


def test_suggested_level_from_factors() -> None:
    """The register shows the grading rule's suggestion (its own tests live with grading)."""
    high = {"importance": 5, "discretion": 5, "public": 4, "likelihood": 4, "harm": 5}
    low = {"importance": 1, "discretion": 2, "public": 1, "likelihood": 1, "harm": 2}
    assert suggested_level(high) == 1
    assert suggested_level(low) == 3
    assert suggested_level(low, focus=True) == 2
