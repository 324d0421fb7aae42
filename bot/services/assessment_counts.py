"""The assessment's counts that are bound to a year, one aggregate query each, and how the
counts of every unit roll up to the unit assessed above it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.risk_workflow import RiskState
from bot.domain.stats import COUNTED_STATES
from storage.models.org import Post
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint
from storage.models.review import RiskReview

ACTIVE_STATES = (
    RiskState.APPROVED.value,
    RiskState.PUBLICISED.value,
    RiskState.REGRADING_DUE.value,
)


def top_units(parents: dict[int, int | None], tops: set[int]) -> dict[int, int]:
    """Each unit → the assessed unit above it (or itself); units above them are left out."""
    out: dict[int, int] = {}
    for unit in parents:
        current: int | None = unit
        seen: set[int] = set()
        while current is not None and current not in tops and current not in seen:
            seen.add(current)
            current = parents.get(current)
        if current is not None and current in tops:
            out[unit] = current
    return out


def roll(top_of: dict[int, int], counts: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for unit_id, (a, b) in counts.items():
        top = top_of.get(unit_id)
        if top is not None:
            x, y = out.get(top, (0, 0))
            out[top] = (x + a, y + b)
    return out


async def measures_on_time(
    session: AsyncSession, year: int, day: date
) -> dict[int, tuple[int, int]]:
    """Per unit: (measures due in `year` — done, or deadline passed —, those done on time)."""
    done = ControlMeasure.status == MeasureStatus.DONE.value
    on_time = done & (func.date(ControlMeasure.updated_at) <= ControlMeasure.deadline)
    statement = (
        select(
            Post.unit_id,
            func.coalesce(func.sum(case((done | (ControlMeasure.deadline < day), 1), else_=0)), 0),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
        )
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .join(Post, Post.id == RiskPoint.post_id)
        .where(
            RiskPoint.status.in_(COUNTED_STATES),
            ControlMeasure.deadline >= date(year, 1, 1),
            ControlMeasure.deadline <= date(year, 12, 31),
        )
        .group_by(Post.unit_id)
    )
    return {
        unit_id: (int(total), int(in_time))
        for unit_id, total, in_time in await session.execute(statement)
    }


async def regrading_overdue(
    session: AsyncSession, day: date, grace_days: int
) -> dict[int, tuple[int, int]]:
    """Per unit: (active risk points, those overdue for re-grading by more than the grace)."""
    cutoff = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(days=grace_days)
    due_at = func.coalesce(RiskReview.regrading_due_at, RiskPoint.updated_at)
    late = (RiskPoint.status == RiskState.REGRADING_DUE.value) & (due_at < cutoff)
    statement = (
        select(Post.unit_id, func.count(), func.coalesce(func.sum(case((late, 1), else_=0)), 0))
        .join(Post, Post.id == RiskPoint.post_id)
        .outerjoin(RiskReview, RiskReview.risk_id == RiskPoint.id)
        .where(RiskPoint.status.in_(ACTIVE_STATES))
        .group_by(Post.unit_id)
    )
    return {
        unit_id: (int(total), int(overdue))
        for unit_id, total, overdue in await session.execute(statement)
    }
