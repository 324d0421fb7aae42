"""The most overdue measures with their holders: one windowed query, the top few per unit.

The five most overdue of any set of units are among the five most overdue of each unit, so a
digest run counts once (``ROW_NUMBER() OVER (PARTITION BY unit)``) and each leader's five
are merged from their units' lists in memory.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.stats import COUNTED_STATES
from bot.services.stats.overview import Scope
from storage.models.org import Person, Post, Unit
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint

SHOWN = 5


@dataclass(frozen=True, order=True)
class OverdueItem:
    deadline: date
    measure_id: int
    action: str
    holder: str
    unit_name: str
    unit_id: int

    def days(self, today: date) -> int:
        return (today - self.deadline).days


async def overdue_by_unit(
    session: AsyncSession, scope: Scope, today: date, per_unit: int = SHOWN
) -> dict[int, list[OverdueItem]]:
    """Per unit, its `per_unit` measures longest past their deadline (not done), oldest first."""
    place = (
        func.row_number()
        .over(partition_by=Post.unit_id, order_by=(ControlMeasure.deadline, ControlMeasure.id))
        .label("place")
    )
    inner = (
        select(
            ControlMeasure.id.label("measure_id"),
            ControlMeasure.deadline.label("deadline"),
            ControlMeasure.action.label("action"),
            func.coalesce(func.nullif(ControlMeasure.responsible_name, ""), Person.name, "").label(
                "holder"
            ),
            Post.unit_id.label("unit_id"),
            place,
        )
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .join(Post, Post.id == RiskPoint.post_id)
        .outerjoin(Person, Person.id == ControlMeasure.responsible_id)
        .where(
            ControlMeasure.status != MeasureStatus.DONE.value,
            ControlMeasure.deadline < today,
            RiskPoint.status.in_(COUNTED_STATES),
        )
    )
    if scope.unit_ids is not None:
        inner = inner.where(Post.unit_id.in_(sorted(scope.unit_ids)))
    ranked = inner.subquery()
    statement = (
        select(ranked, Unit.name)
        .join(Unit, Unit.id == ranked.c.unit_id)
        .where(ranked.c.place <= per_unit)
    )
    out: dict[int, list[OverdueItem]] = defaultdict(list)
    for row in await session.execute(statement):
        out[row.unit_id].append(
            OverdueItem(
                row.deadline, row.measure_id, row.action, row.holder, row.name, row.unit_id
            )
        )
    for items in out.values():
        items.sort()
    return out


def most_overdue(
    by_unit: dict[int, list[OverdueItem]], unit_ids: Iterable[int] | None, shown: int = SHOWN
) -> list[OverdueItem]:
    """The `shown` most overdue across `unit_ids` (None: all), from `overdue_by_unit`."""
    lists = by_unit.values() if unit_ids is None else (by_unit.get(u, []) for u in unit_ids)
    return heapq.nsmallest(shown, (item for items in lists for item in items))
