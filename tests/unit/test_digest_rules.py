"""When a digest is due: slots, period keys, once per period whatever the downtime."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.digest_rules import (
    Frequency,
    SubscriptionAction,
    SubscriptionState,
    due_period,
    latest_slot,
    next_state,
    period_key,
)
from bot.domain.errors import ServiceError

TZ = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_slots_and_periods() -> None:
    now = local("2026-12-02T08:30")  # a Wednesday
    assert latest_slot(Frequency.DAILY, 9, 1, now, TZ) == local("2026-12-01T09:00")
    assert latest_slot(Frequency.DAILY, 8, 1, now, TZ) == local("2026-12-02T08:00")
    assert latest_slot(Frequency.WEEKLY, 9, 1, now, TZ) == local("2026-11-30T09:00")
    assert latest_slot(Frequency.WEEKLY, 9, 3, now, TZ) == local("2026-11-25T09:00")
    assert latest_slot(Frequency.MONTHLY, 9, 1, now, TZ) == local("2026-12-01T09:00")
    assert latest_slot(Frequency.MONTHLY, 9, 1, local("2026-12-01T08:00"), TZ) == local(
        "2026-11-01T09:00"
    )
    assert latest_slot(Frequency.MONTHLY, 9, 1, local("2027-01-01T08:00"), TZ) == local(
        "2026-12-01T09:00"
    )
    assert period_key(Frequency.DAILY, local("2026-12-01T09:00")) == "d:2026-12-01"
    assert period_key(Frequency.WEEKLY, local("2026-11-30T09:00")) == "w:2026-W49"
    assert period_key(Frequency.WEEKLY, local("2027-01-01T09:00")) == "w:2026-W53"
    assert period_key(Frequency.MONTHLY, local("2026-12-01T09:00")) == "m:2026-12"


def test_due_once_per_period_and_only_after_subscribing() -> None:
    since = local("2026-11-26T10:00")  # subscribed on a Thursday
    utc = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)  # Monday 09:05 in Shanghai

    def due(now: datetime, last: str | None = None) -> str | None:
        return due_period("weekly", 9, 1, since=since, last_period=last, now=now, tz=TZ)

    assert due(local("2026-11-29T12:00")) is None  # the last slot came before subscribing
    assert due(local("2026-11-30T08:59")) is None
    assert due(utc) == "w:2026-W49"
    assert due(utc, last="w:2026-W49") is None  # a second run: nothing
    # Three weeks of downtime: only the latest week is due, once.
    assert due(local("2026-12-22T15:00"), last="w:2026-W49") == "w:2026-W52"


def test_a_subscription_pauses_and_resumes_once() -> None:
    assert next_state("active", SubscriptionAction.PAUSE) is SubscriptionState.PAUSED
    assert next_state("paused", SubscriptionAction.RESUME) is SubscriptionState.ACTIVE
    with pytest.raises(ServiceError):
        next_state("paused", SubscriptionAction.PAUSE)
    with pytest.raises(ServiceError):
        next_state("active", SubscriptionAction.RESUME)
