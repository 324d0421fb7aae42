"""Writing imported risk points in bulk: the records, their measures, the review records
their state implies (so the scans treat them as records declared in the bot), audit rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.grading import FACTORS
from bot.domain.risk_workflow import ACTIVE_STATES, RiskState
from bot.services.import_checks import audit_created, insert_rows
from bot.settings import Settings
from storage.models.org import Person
from storage.models.register import ControlMeasure, Origin, RiskPoint
from storage.models.review import RiskReview

# States whose record has entered review (it carries the rule's suggestion).
REVIEWED = frozenset(
    {
        RiskState.SOCIAL_REVIEW,
        RiskState.GRADED_REVIEW,
        RiskState.ORG_APPROVAL,
        RiskState.COLLECTIVE_DISCUSSION,
        RiskState.SELF_REVIEW,
        RiskState.STANDING_COMMITTEE,
        *ACTIVE_STATES,
    }
)
# Every row of one bulk INSERT names the same columns.
_REVIEW_COLUMNS = (
    "social_opened_at",
    "social_closes_at",
    "final_level",
    "level_reason",
    "approved_at",
    "publicised_at",
    "regrading_due_at",
)


class NewRisk(Protocol):
    post_id: int
    unit_id: int
    values: dict[str, Any]
    measures: list[dict[str, Any]]


async def write_risks(
    session: AsyncSession, now: datetime, settings: Settings, risks: Sequence[NewRisk]
) -> int:
    """The new risks, their measures, their review records and audit rows, in bulk."""
    if not risks:
        return 0
    period = timedelta(days=settings.regrading_period_days)
    window = timedelta(days=settings.social_review_days)
    risk_rows = []
    for risk in risks:
        v = risk.values
        state = RiskState(v["status"])
        risk_rows.append(
            {
                "post_id": risk.post_id,
                "power_id": v["power_id"],
                "description": v["description"],
                "risk_type": v["risk_type"],
                "focus_programme": v["focus"],
                "suggested_level": v["suggested"],
                "level": v["level"],
                "status": state.value,
                "origin": Origin.BOTTOM_UP.value,
                "created_at": now,
                "updated_at": now,
                "regrade_due_at": _regrade_due(state, now, period),
                **dict.fromkeys((f.value for f in FACTORS), None),
                **v["factors"],
            }
        )
    ids = await insert_rows(session, RiskPoint, risk_rows, ids=True)
    people = await _people(session, {risk.unit_id for risk in risks})
    measures, reviews = [], []
    for risk_id, risk in zip(ids, risks, strict=True):
        measures += [
            {
                "risk_id": risk_id,
                "action": m["action"],
                "responsible_id": people.get((risk.unit_id, m["responsible"])),
                "responsible_name": m["responsible"],
                "deadline": m["deadline"],
                "status": m["status"],
                "created_at": now,
                "updated_at": now,
            }
            for m in risk.measures
        ]
        review = _review(risk_id, risk.values, now, period, window)
        if review is not None:
            reviews.append(review)
    await insert_rows(session, ControlMeasure, measures)
    await insert_rows(session, RiskReview, reviews)
    await audit_created(
        session,
        now,
        "risk.import",
        "risk_points",
        (
            (i, {k: row[k] for k in ("post_id", "description", "status", "level")})
            for i, row in zip(ids, risk_rows, strict=True)
        ),
    )
    return len(ids)


def _regrade_due(state: RiskState, now: datetime, period: timedelta) -> datetime | None:
    if state is RiskState.PUBLICISED:
        return now + period
    return now if state is RiskState.REGRADING_DUE else None


def _review(
    risk_id: int, v: dict[str, Any], now: datetime, period: timedelta, window: timedelta
) -> dict[str, Any] | None:
    """The review bookkeeping the record's state implies (None before review)."""
    state = RiskState(v["status"])
    if state not in REVIEWED:
        return None  # draft, returned …: nothing yet; 已提交 is routed by the scan
    row: dict[str, Any] = dict.fromkeys(_REVIEW_COLUMNS) | {
        "risk_id": risk_id,
        "version": 0,
        "suggested_level": v["suggested"],
        "suggested_score": v["score"],
    }
    if state is RiskState.SOCIAL_REVIEW:
        row |= {"social_opened_at": now, "social_closes_at": now + window}
    if state in ACTIVE_STATES:
        row |= {"final_level": v["level"], "level_reason": v["reason"], "approved_at": now}
    if state in (RiskState.PUBLICISED, RiskState.REGRADING_DUE):
        row |= {"publicised_at": now, "regrading_due_at": _regrade_due(state, now, period)}
    return row


async def _people(session: AsyncSession, unit_ids: set[int]) -> dict[tuple[int, str], int]:
    """Each unit's people by name (the first of a name), for the measures' 责任人."""
    found: dict[tuple[int, str], int] = {}
    query = select(Person.unit_id, Person.name, Person.id).where(Person.unit_id.in_(unit_ids))
    for unit_id, name, person_id in await session.execute(query.order_by(Person.id)):
        if unit_id is not None:
            found.setdefault((unit_id, name), person_id)
    return found
