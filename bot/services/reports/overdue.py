"""The overdue measures of a scope on a day, the most overdue first (one query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.stats import COUNTED_STATES
from bot.services.stats.overview import Scope
from storage.models.org import Post, Unit
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint

# The workbook's overdue sheet lists this many, most overdue first (a district has hundreds);
# the page shows the first that fit.
OVERDUE_ROWS = 10_000


@dataclass(frozen=True)
class OverdueItem:
    unit: str
    post: str
    action: str
    responsible: str
    deadline: date
    days: int


async def overdue_items(
    session: AsyncSession, scope: Scope, day: date, limit: int = OVERDUE_ROWS
) -> list[OverdueItem]:
    """Measures not done whose deadline is before `day`, the most overdue first."""
    statement = (
        select(
            ControlMeasure.action,
            ControlMeasure.responsible_name,
            ControlMeasure.deadline,
            Post.name,
            Unit.path,
        )
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .join(Post, Post.id == RiskPoint.post_id)
        .join(Unit, Unit.id == Post.unit_id)
        .where(
            RiskPoint.status.in_(COUNTED_STATES),
            ControlMeasure.status != MeasureStatus.DONE.value,
            ControlMeasure.deadline < day,
        )
        .order_by(ControlMeasure.deadline, ControlMeasure.id)
        .limit(limit)
    )
    if scope.unit_ids is not None:
        statement = statement.where(Unit.id.in_(sorted(scope.unit_ids)))
    return [
        OverdueItem(path, post, action, responsible, deadline, (day - deadline).days)
        for action, responsible, deadline, post, path in (await session.execute(statement)).all()
    ]
