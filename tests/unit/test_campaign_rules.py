"""Campaign rules: when a post's work is done, and which reminder is due on which day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.campaign_rules import (
    MeasureFact,
    PostRecords,
    ReminderPlan,
    Requirement,
    due_reminder,
    parse_days,
    percent,
    post_done,
)

DEADLINE = date(2026, 12, 31)
STARTED = datetime(2026, 12, 1, tzinfo=UTC)
PLAN = ReminderPlan((7, 1, 0), 7)


def done(requirement: Requirement, records: PostRecords) -> bool:
    return post_done(requirement, records, deadline=DEADLINE, started_at=STARTED)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), False),
        (("withdrawn", "returned"), False),
        (("returned", "submitted"), True),
        (("confirmed",), True),
    ],
)
def test_powers_inventoried_needs_one_submitted_or_confirmed(
    statuses: tuple[str, ...], expected: bool
) -> None:
    assert done(Requirement.POWERS, PostRecords(power_statuses=statuses)) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), False),
        (("draft", "proposed", "disputed", "returned", "withdrawn"), False),
        (("draft", "submitted"), True),
        (("publicised",), True),
        (("collective_discussion",), True),
        (("regrading_due",), True),
    ],
)
def test_risks_declared_needs_one_past_draft(statuses: tuple[str, ...], expected: bool) -> None:
    assert done(Requirement.RISKS, PostRecords(risk_statuses=statuses)) is expected


def test_measures_reported_counts_only_those_due_by_the_deadline() -> None:
    late = MeasureFact(DEADLINE + timedelta(days=1), "planned")
    due = MeasureFact(DEADLINE, "planned")
    assert done(Requirement.MEASURES, PostRecords()) is True  # nothing to report
    assert done(Requirement.MEASURES, PostRecords(measures=(late,))) is True
    assert done(Requirement.MEASURES, PostRecords(measures=(late, due))) is False
    finished = MeasureFact(DEADLINE, "done")
    assert done(Requirement.MEASURES, PostRecords(measures=(finished,))) is True


def test_a_report_counts_only_when_made_during_the_campaign() -> None:
    before = MeasureFact(DEADLINE, "in_progress", STARTED - timedelta(days=1))
    during = MeasureFact(DEADLINE, "in_progress", STARTED + timedelta(hours=1))
    assert done(Requirement.MEASURES, PostRecords(measures=(before,))) is False
    assert done(Requirement.MEASURES, PostRecords(measures=(during,))) is True
    assert done(Requirement.MEASURES, PostRecords(measures=(during, before))) is False


def test_regrading_done_when_no_risk_waits_for_it() -> None:
    assert done(Requirement.REGRADING, PostRecords()) is True
    assert done(Requirement.REGRADING, PostRecords(risk_statuses=("publicised",))) is True
    records = PostRecords(risk_statuses=("publicised", "regrading_due"))
    assert done(Requirement.REGRADING, records) is False


def tag(today: date, plan: ReminderPlan = PLAN) -> str | None:
    found = due_reminder(plan, DEADLINE, today)
    return found.tag if found else None


def test_the_offsets_before_on_and_after_the_deadline() -> None:
    assert tag(DEADLINE - timedelta(days=8)) is None
    assert tag(DEADLINE - timedelta(days=7)) == "d7"
    assert tag(DEADLINE - timedelta(days=2)) == "d7"  # the same period: the same key
    assert tag(DEADLINE - timedelta(days=1)) == "d1"
    assert tag(DEADLINE) == "d0"
    assert tag(DEADLINE + timedelta(days=6)) == "d0"  # overdue, but not a week yet
    assert tag(DEADLINE + timedelta(days=7)) == "late1"
    assert tag(DEADLINE + timedelta(days=13)) == "late1"
    assert tag(DEADLINE + timedelta(days=14)) == "late2"
    assert tag(DEADLINE + timedelta(days=70)) == "late10"


def test_catch_up_sends_only_the_latest_missed_offset() -> None:
    # Down from a week before until the day itself: only "on the day" is due, once.
    assert tag(DEADLINE) == "d0"
    found = due_reminder(PLAN, DEADLINE, DEADLINE + timedelta(days=15))
    assert found is not None and found.tag == "late2" and found.on == DEADLINE + timedelta(14)


def test_a_campaign_created_after_its_first_offset_gets_the_current_one() -> None:
    assert tag(DEADLINE - timedelta(days=3)) == "d7"


def test_no_overdue_reminders_when_switched_off_and_custom_offsets() -> None:
    plan = ReminderPlan((3,), 0)
    assert tag(DEADLINE - timedelta(days=4), plan) is None
    assert tag(DEADLINE - timedelta(days=3), plan) == "d3"
    assert tag(DEADLINE + timedelta(days=30), plan) == "d3"  # nothing new after it


def test_parse_days_and_percent() -> None:
    assert parse_days("7,1,0") == (7, 1, 0)
    assert parse_days("0， 14,7,7") == (14, 7, 0)
    with pytest.raises(ValueError):
        parse_days("-1")
    with pytest.raises(ValueError):
        parse_days("soon")
    assert percent(0, 0) == 100
    assert percent(2, 3) == 66
    assert percent(3, 3) == 100


def test_the_schedule_comes_from_settings_and_bad_values_are_refused() -> None:
    from pydantic import ValidationError

    from bot.services.campaigns import plan_of
    from bot.settings import Settings

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert plan_of(settings) == ReminderPlan((7, 1, 0), 7)
    custom = Settings(
        _env_file=None,  # type: ignore[call-arg]
        campaign_reminder_days="14,3",
        campaign_overdue_every_days=0,
    )
    assert plan_of(custom) == ReminderPlan((14, 3), 0)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, campaign_reminder_days="7,tomorrow")  # type: ignore[call-arg]
