"""Campaign rules: what "done" means for a post, and which reminder is due on a given day.

No aiogram and no database: the service (`bot.services.campaigns`) loads a post's records into
`PostRecords` and asks `post_done()`; the reminder job asks `due_reminder()` which offset of the
schedule applies today. Both are recomputed on every run, so a post whose work gets done stops
being reminded at the next run, and a run made late (bot down) sends only the latest offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.risk_workflow import RiskState

NAME_MAX = 60  # characters of a campaign's name (it heads reminders and the card)


class Requirement(StrEnum):
    """What a campaign asks of each post in scope. Stored values: never rename one."""

    POWERS = "powers"  # 清权确权: the post has inventoried at least one power
    RISKS = "risks"  # 排查风险: the post has declared at least one risk point (past draft)
    MEASURES = "measures"  # every measure due by the deadline is reported on
    REGRADING = "regrading"  # 定期调整: no risk of the post waits for re-grading


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


# A power counts once submitted for review (a returned or withdrawn one does not).
POWER_DONE_STATES: frozenset[str] = frozenset({"submitted", "confirmed"})
# A risk counts once it left the holder's hands: not a draft, a proposal awaiting the holder,
# a dispute, a record returned for rework, or a withdrawn one.
RISK_NOT_DECLARED: frozenset[str] = frozenset(
    {
        RiskState.DRAFT.value,
        RiskState.PROPOSED.value,
        RiskState.DISPUTED.value,
        RiskState.RETURNED.value,
        RiskState.WITHDRAWN.value,
    }
)
MEASURE_DONE = "done"


@dataclass(frozen=True)
class MeasureFact:
    """A measure of one of the post's pursued risks."""

    deadline: date
    status: str
    last_report_at: datetime | None = None


@dataclass(frozen=True)
class PostRecords:
    """What the register holds for one post, as far as campaigns care."""

    power_statuses: tuple[str, ...] = ()
    risk_statuses: tuple[str, ...] = ()
    measures: tuple[MeasureFact, ...] = field(default=())


def measure_reported(measure: MeasureFact, deadline: date, started_at: datetime) -> bool:
    """A measure due after the campaign's deadline is not asked for; one due by then counts
    when it is done or has been reported on since the campaign started."""
    if measure.deadline > deadline or measure.status == MEASURE_DONE:
        return True
    return measure.last_report_at is not None and measure.last_report_at >= started_at


def post_done(
    requirement: Requirement, records: PostRecords, *, deadline: date, started_at: datetime
) -> bool:
    """Whether a post has done what the campaign asks."""
    if requirement is Requirement.POWERS:
        return any(status in POWER_DONE_STATES for status in records.power_statuses)
    if requirement is Requirement.RISKS:
        return any(status not in RISK_NOT_DECLARED for status in records.risk_statuses)
    if requirement is Requirement.MEASURES:
        return all(measure_reported(m, deadline, started_at) for m in records.measures)
    return RiskState.REGRADING_DUE.value not in records.risk_statuses


# --- the reminder schedule ----------------------------------------------------------------


@dataclass(frozen=True)
class ReminderPlan:
    """Days before the deadline to remind on (0 = the day itself), then every
    `overdue_every_days` after it while the work is missing (0: no overdue reminders)."""

    days_before: tuple[int, ...] = (7, 1, 0)
    overdue_every_days: int = 7


@dataclass(frozen=True)
class DueReminder:
    """The offset that applies: `tag` names it in the dedup key, `on` is its date."""

    tag: str
    on: date


def due_reminder(plan: ReminderPlan, deadline: date, today: date) -> DueReminder | None:
    """The latest offset whose date has come (None before the first one).

    Only the latest: after downtime that skipped several offsets, one reminder goes out, not
    one per missed offset. The tag is stable for its period, so sending it twice is a no-op
    under the outbox's dedup key.
    """
    latest: DueReminder | None = None
    for days in sorted(set(plan.days_before), reverse=True):
        on = deadline - timedelta(days=days)
        if on <= today:
            latest = DueReminder(f"d{days}", on)
    if plan.overdue_every_days > 0 and today > deadline:
        weeks = (today - deadline).days // plan.overdue_every_days
        if weeks >= 1:
            on = deadline + timedelta(days=weeks * plan.overdue_every_days)
            if latest is None or on > latest.on:
                latest = DueReminder(f"late{weeks}", on)
    return latest


def parse_days(text: str) -> tuple[int, ...]:
    """`7,1,0` → (7, 1, 0); each a whole number of days before the deadline, 0 to 365."""
    days = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        value = int(part)
        if not 0 <= value <= 365:
            raise ValueError("reminder offsets are days before the deadline, 0 to 365")
        days.append(value)
    return tuple(sorted(set(days), reverse=True))


def percent(done: int, total: int) -> int:
    """Share done, rounded down (100 only when all are done); an empty scope is 100%."""
    return 100 if total == 0 else done * 100 // total
