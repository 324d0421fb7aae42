"""When a leader's digest is due, and the life of a subscription: pure rules, tested alone.

A subscription names a frequency and a local hour. Its *slots* are the moments a digest is
meant to go out: every day at the hour; weekly on `weekday` (ISO, 1 = Monday) at the hour;
monthly on the 1st at the hour. Each slot has a *period key* (``d:2026-12-01``,
``w:2026-W49``, ``m:2026-12``) that is also the digest's dedup key part, so a scan run twice,
or after days of downtime, sends only the latest period, once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import ServiceError
from bot.domain.keys import N_
from bot.domain.state_table import MoveTable

HOURS_OFFERED: tuple[int, ...] = (7, 8, 9, 10, 12, 14, 17, 18)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class SubscriptionState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class SubscriptionAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"


# What the audit trail records for each move (literal names, never built from the enum).
AUDIT_ACTIONS: dict[SubscriptionAction, str] = {
    SubscriptionAction.PAUSE: "digest.pause",
    SubscriptionAction.RESUME: "digest.resume",
}


# The whole life of a subscription: (state, action) → new state.
TRANSITIONS: dict[tuple[SubscriptionState, SubscriptionAction], SubscriptionState] = {
    (SubscriptionState.ACTIVE, SubscriptionAction.PAUSE): SubscriptionState.PAUSED,
    (SubscriptionState.PAUSED, SubscriptionAction.RESUME): SubscriptionState.ACTIVE,
}


_MOVES = MoveTable(TRANSITIONS, N_("digest.already"))


def next_state(state: str, action: SubscriptionAction) -> SubscriptionState:
    """The state after `action`, or a refusal (a stale button: already paused, say)."""
    return _MOVES.after(SubscriptionState(state), action, state=state)


def check_hour(hour: int) -> int:
    if not 0 <= hour <= 23:
        raise ServiceError("digest.bad_hour")
    return hour


def latest_slot(
    frequency: Frequency | str, hour: int, weekday: int, now: datetime, tz: ZoneInfo
) -> datetime:
    """The most recent slot at or before `now` (aware, in `tz`)."""
    frequency = Frequency(frequency)
    local = now.astimezone(tz)
    at = time(hour)
    if frequency is Frequency.DAILY:
        slot = datetime.combine(local.date(), at, tzinfo=tz)
        return slot if slot <= local else slot - timedelta(days=1)
    if frequency is Frequency.WEEKLY:
        back = (local.isoweekday() - weekday) % 7
        slot = datetime.combine(local.date() - timedelta(days=back), at, tzinfo=tz)
        return slot if slot <= local else slot - timedelta(days=7)
    slot = datetime.combine(local.date().replace(day=1), at, tzinfo=tz)
    if slot > local:
        previous = (local.date().replace(day=1) - timedelta(days=1)).replace(day=1)
        slot = datetime.combine(previous, at, tzinfo=tz)
    return slot


def period_key(frequency: Frequency | str, slot: datetime) -> str:
    """The period a slot opens: its day, ISO week or month."""
    frequency = Frequency(frequency)
    day = slot.date()
    if frequency is Frequency.DAILY:
        return f"d:{day.isoformat()}"
    if frequency is Frequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"w:{year}-W{week:02d}"
    return f"m:{day.year}-{day.month:02d}"


def due_period(
    frequency: Frequency | str,
    hour: int,
    weekday: int,
    *,
    since: datetime,
    last_period: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> str | None:
    """The period whose digest is due now, or None: the latest slot, if it came after the
    subscription was made (`since`) and its period was not sent yet."""
    slot = latest_slot(frequency, hour, weekday, now, tz)
    if slot < since.astimezone(tz):
        return None
    key = period_key(frequency, slot)
    return None if key == last_period else key
