"""Re-grading (定期调整): the holder confirms or revises a risk point that is due again.

A risk becomes `regrading_due` when its period is up (the scheduler) or when a reviewer
reopens it after feedback (`reopen`). While it is due, its holder may revise the five factors
and the control measures (edit, add, remove), then send it back to graded review with
`resubmit`; the review routes it by the *new* suggested level (`review.transition` re-grades on
resubmission). Every write is checked here (only the holder, only while due), audited with
its before and after, in the caller's one transaction; a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.grading import Grade, grade_risk
from bot.domain.register_rules import MEASURE_MAX, DateRefused, check_deadline
from bot.domain.risk_workflow import Action, Actor, IllegalTransition, RiskState, check
from bot.services import audit, review
from bot.services import review_subject as subject
from bot.services import risks as risk_service
from bot.services.powers import text_or_refuse
from bot.services.review import Decision, ReviewConfig, Situation
from bot.services.risks.common import post_of
from bot.settings import Settings
from storage.models.audit import AuditLog
from storage.models.org import Person
from storage.models.register import ControlMeasure, RiskPoint
from storage.repositories import review as review_repo

# Audit actions that put a risk into `regrading_due` (their latest row says since when, why).
DUE_ACTIONS = (f"risk.{Action.REGRADING_DUE.value}", f"risk.{Action.REOPEN.value}")


@dataclass(frozen=True)
class RegradingView:
    """What the holder's re-grading card shows."""

    sit: Situation
    grade: Grade | None  # the rule's suggestion for the factors as they are now
    due_since: datetime | None
    reopen_comment: str | None  # the reviewer's reason, when it was reopened
    changed: bool  # factors, measures or description revised since it became due


async def due_entry(session: AsyncSession, risk_id: int) -> AuditLog | None:
    """The audit row of the risk's latest move into `regrading_due`."""
    return await review_repo.latest_audit(session, risk_id, DUE_ACTIONS)


async def due_entries(session: AsyncSession) -> dict[int, AuditLog]:
    """`due_entry()` of every risk now `regrading_due`, in one statement."""
    return await review_repo.latest_audits_in_state(
        session, RiskState.REGRADING_DUE.value, DUE_ACTIONS
    )


async def _revised_since(session: AsyncSession, risk_id: int, entry_id: int) -> bool:
    # Its own revisions, and a description edited from the risk's card meanwhile.
    return await review_repo.audited_since(
        session, risk_id, entry_id, prefix="regrade.", actions=("risk.edit",)
    )


async def _holders_due_risk(
    session: AsyncSession, config: ReviewConfig, actor: Person, risk_id: int
) -> Situation:
    """The risk if `actor` holds it and it is due; else a refusal (another's reads as missing)."""
    sit = await review.situation(session, config, risk_id)
    if Actor.HOLDER not in review.actors_for(actor, sit):
        raise ServiceError("register.not_found")
    if sit.state is not RiskState.REGRADING_DUE:
        raise IllegalTransition(sit.state, Action.RESUBMIT)
    return sit


async def view(
    session: AsyncSession, config: ReviewConfig, actor: Person, risk_id: int
) -> RegradingView:
    """The holder's card of a risk due for re-grading."""
    sit = await _holders_due_risk(session, config, actor, risk_id)
    entry = await due_entry(session, risk_id)
    comment = None
    if entry is not None and entry.action == DUE_ACTIONS[1]:
        comment = (entry.after or {}).get("comment")
    return RegradingView(
        sit=sit,
        grade=review.grade_of(sit.risk, config),
        due_since=entry.at if entry else None,
        reopen_comment=comment,
        changed=bool(entry and await _revised_since(session, risk_id, entry.id)),
    )


def _record(
    session: AsyncSession,
    clock: Clock,
    actor: Person,
    action: str,
    risk: RiskPoint,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    # On the risk itself (measures' changes too), so its /history shows every revision.
    audit.record(
        session, clock, actor=actor, action=action, entity=risk, before=before, after=after
    )


# --- the factors ----------------------------------------------------------------------------


def preview(values: dict[str, int], config: ReviewConfig, *, focus: bool) -> Grade:
    """The suggestion the new factors would give (shown before the holder saves them)."""
    return grade_risk(risk_service.validated_factors(values), config.rule, focus=focus)


async def revise_factors(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    factors: dict[str, int],
) -> Grade:
    """New grading factors for a risk due for re-grading; the new suggestion is returned."""
    sit = await _holders_due_risk(session, config, actor, risk_id)
    checked = risk_service.validated_factors(factors)
    risk = sit.risk
    before = audit.snapshot(risk, *checked.as_dict(), "suggested_level")
    grade = grade_risk(checked, config.rule, focus=bool(risk.focus_programme))
    for name, value in checked.as_dict().items():
        setattr(risk, name, value)
    risk.suggested_level = grade.level
    risk.updated_at = clock.now()
    after = audit.snapshot(risk, *checked.as_dict(), "suggested_level")
    _record(session, clock, actor, "regrade.factors", risk, before, after)
    return grade


# --- the measures ---------------------------------------------------------------------------


def _measure_snapshot(measure: ControlMeasure) -> dict[str, Any]:
    return audit.snapshot(
        measure, "id", "action", "responsible_id", "responsible_name", "deadline", "status"
    )


def _measure_of(sit: Situation, measure_id: int) -> ControlMeasure:
    for measure in sit.risk.measures:
        if measure.id == measure_id:
            return measure
    raise ServiceError("regrading.measure_gone")


def _checked_deadline(value: date, clock: Clock, settings: Settings) -> date:
    try:
        check_deadline(value, risk_service.today_of(clock, settings))
    except DateRefused as refused:
        raise risk_service.refused_date(refused) from None
    return value


@dataclass(frozen=True)
class MeasureChange:
    """One field of a measure to change (the others stay)."""

    action: str | None = None
    deadline: date | None = None
    responsible_id: int | None = None  # a colleague of the post's unit; 0: the holder


async def revise_measure(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    measure_id: int,
    change: MeasureChange,
) -> ControlMeasure:
    """Change a measure's text, deadline or 责任主体 while the risk is due for re-grading."""
    sit = await _holders_due_risk(session, config, actor, risk_id)
    measure = _measure_of(sit, measure_id)
    before = _measure_snapshot(measure)
    if change.action is not None:
        measure.action = text_or_refuse(change.action, MEASURE_MAX)
    if change.deadline is not None:
        measure.deadline = _checked_deadline(change.deadline, clock, config.settings)
    if change.responsible_id is not None:
        post = await post_of(session, sit.risk)
        person = await risk_service.responsible_person(
            session,
            post,
            actor,
            change.responsible_id or None,
        )
        measure.responsible_id, measure.responsible_name = person.id, person.name
    measure.updated_at = clock.now()
    _record(
        session, clock, actor, "regrade.measure_edit", sit.risk, {"measure": before},
        {"measure": _measure_snapshot(measure)},
    )  # fmt: skip
    return measure


async def add_measure(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    draft: risk_service.MeasureDraft,
) -> ControlMeasure:
    """A new measure, checked as the declaration checks one."""
    sit = await _holders_due_risk(session, config, actor, risk_id)
    if len(sit.risk.measures) >= risk_service.MEASURES_MAX:
        raise ServiceError("register.measures_too_many", limit=risk_service.MEASURES_MAX)
    post = await post_of(session, sit.risk)
    (measure,) = await risk_service.build_measures(
        session,
        clock,
        config.settings,
        post,
        actor,
        [draft],
    )
    sit.risk.measures.append(measure)
    await session.flush()
    _record(
        session, clock, actor, "regrade.measure_add", sit.risk, None,
        {"measure": _measure_snapshot(measure)},
    )  # fmt: skip
    return measure


async def remove_measure(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    measure_id: int,
) -> None:
    """Drop a measure (its snapshot stays in the audit trail); the last one cannot go."""
    sit = await _holders_due_risk(session, config, actor, risk_id)
    measure = _measure_of(sit, measure_id)
    if len(sit.risk.measures) <= 1:
        raise ServiceError("regrading.last_measure")
    before = _measure_snapshot(measure)
    sit.risk.measures.remove(measure)
    await session.delete(measure)
    _record(session, clock, actor, "regrade.measure_remove", sit.risk, {"measure": before}, None)


# --- back to the review, and the reviewer's reopen ----------------------------------------


async def resubmit(
    session: AsyncSession, clock: Clock, config: ReviewConfig, *, actor: Person, risk_id: int
) -> Situation:
    """Send the (confirmed or revised) risk back to graded review, routed by its new level."""
    await _holders_due_risk(session, config, actor, risk_id)
    return await review.transition(
        session, clock, config, actor=actor, risk_id=risk_id, decision=Decision(Action.RESUBMIT)
    )


async def check_reopen(
    session: AsyncSession,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    expected_version: int | None = None,
) -> Situation:
    """Refuse at once (before a reason is typed) a reopen this person may not make."""
    sit = await review.situation(session, config, risk_id)
    if expected_version is not None and expected_version != sit.review.version:
        raise ServiceError("review.stale_card")
    check(
        sit.state,
        Action.REOPEN,
        review.actors_for(actor, sit),
        track=sit.track,
        comment="-",  # the reason comes next; only authority and state are checked here
    )
    return sit


async def reopen(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    reason: str | None,
    expected_version: int | None = None,
) -> Situation:
    """A reviewer, approver or the commission reopens an approved or active risk with a reason;
    the holder is told the reason and asked to re-grade it."""
    return await review.transition(
        session,
        clock,
        config,
        actor=actor,
        risk_id=risk_id,
        decision=Decision(Action.REOPEN, comment=reason, expected_version=expected_version),
    )


async def active_in_scope(
    session: AsyncSession, config: ReviewConfig, person: Person
) -> list[int]:
    """Approved or publicised risks this person may reopen, oldest first."""
    units = await review.units_in_scope(session, person)
    states = [RiskState.APPROVED.value, RiskState.PUBLICISED.value]
    ids = await subject.ids_in_states_for_units(session, states, units)
    found = []
    for risk_id in ids:
        sit = await review.situation(session, config, risk_id)
        if review.actors_for(person, sit) & {Actor.REVIEWER, Actor.APPROVER, Actor.COMMISSION}:
            found.append(risk_id)
    return found
