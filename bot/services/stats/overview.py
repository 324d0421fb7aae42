"""The overview: the seed's table (powers, risk points, measures, coverage, pending, feedback)
for a scope, per unit and in total.

    figures = await overview(session, Scope.district(), today=today)
    figures.total.risks_level1              # 683 on the seed-shaped data set
    figures.row(unit_id).subtree.measures   # a bureau with its departments
    figures.children(None)                  # the top units of the scope, for the chart

Counting is a handful of aggregate queries, one row per unit, each reading a covering
index (`bot.services.stats.counts`; never one query per record or per unit), run only for
the units whose records changed since their counts were kept (`bot.services.stats.summary`;
pending reviews are always counted); sums,
coverage and ranking are plain arithmetic in `bot.domain.stats`. Which records count is
documented there. Reads only: nothing here writes or commits.

Feedback figures come from the feedback service when it is wired
(`bot.services.stats.feedback_source`); until then they are zero, never an error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.stats import (
    Figures,
    Ranked,
    rank,
    roll_up,
    total,
)
from bot.services.stats import counts, summary
from bot.services.stats.feedback_source import DEFAULT_ANSWER_DAYS, feedback_by_unit

DEFAULT_REVIEW_LIMIT_DAYS = 3


@dataclass(frozen=True)
class Scope:
    """The units a person may see figures of: a subtree's unit ids, or everything (None)."""

    unit_ids: frozenset[int] | None = None

    @classmethod
    def district(cls) -> Scope:
        """The whole register (the commission; a district leader)."""
        return cls(None)

    @classmethod
    def of(cls, unit_ids: Iterable[int]) -> Scope:
        return cls(frozenset(unit_ids))

    def covers(self, unit_id: int) -> bool:
        return self.unit_ids is None or unit_id in self.unit_ids


@dataclass(frozen=True)
class UnitRow:
    """One unit of the scope: its own records and its subtree's (itself and below)."""

    unit_id: int
    name: str
    path: str
    parent_id: int | None
    kind: str
    is_pilot: bool
    own: Figures
    subtree: Figures


@dataclass(frozen=True)
class Overview:
    """Every figure of the seed's table for a scope on a day, per unit and in total.

    ``total`` is the sum over every unit of the scope; ``units`` lists them by path;
    ``roots`` are the units at the top of the scope (the district, or a bureau).
    """

    scope: Scope
    today: date
    total: Figures
    units: tuple[UnitRow, ...]
    roots: tuple[int, ...]

    def row(self, unit_id: int) -> UnitRow | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def children(self, unit_id: int | None) -> list[UnitRow]:
        """The units directly under `unit_id`; None: the top units shown first (the roots'
        children when the scope has one root, else the roots)."""
        if unit_id is None:
            if len(self.roots) == 1:
                kids = self.children(self.roots[0])
                return kids or [r for r in self.units if r.unit_id == self.roots[0]]
            return [u for u in self.units if u.unit_id in self.roots]
        return [u for u in self.units if u.parent_id == unit_id]

    def ranking(self, unit_id: int | None = None) -> list[Ranked]:
        """The units under `unit_id` (as `children`) best first by coverage, then on time."""
        return rank({u.unit_id: u.subtree for u in self.children(unit_id)})


async def overview(
    session: AsyncSession,
    scope: Scope,
    *,
    today: date,
    review_limit_days: int = DEFAULT_REVIEW_LIMIT_DAYS,
    answer_days: int = DEFAULT_ANSWER_DAYS,
) -> Overview:
    """The seed's table for `scope` on `today` (the programme's local day).

    Measures are overdue when their deadline is before `today`; a pending review waits
    "too long" past `review_limit_days` (the review reminder setting); feedback is answered
    on time within `answer_days` (FEEDBACK_ANSWER_DAYS).
    """
    now = datetime.combine(today, time(23, 59), tzinfo=UTC)
    limit = now - timedelta(days=review_limit_days)
    units = await counts.units(session, scope.unit_ids)
    own, live = await summary.read(session, scope.unit_ids, today=today)
    if live:  # the units whose kept counts do not hold: counted as `counts.count_all` does
        counted: counts.Values = defaultdict(dict)
        await counts.count_kept(session, frozenset(live), counted, today=today)
        own.update(counted)
    await counts.pending(session, scope.unit_ids, own, now=now, limit=limit)
    feedback = await feedback_by_unit(
        session, scope.unit_ids, today=today, answer_days=answer_days
    )
    figures = {u.id: Figures(**own.get(u.id, {}), **feedback.get(u.id, {})) for u in units}
    parents = {u.id: u.parent_id for u in units}
    subtree = roll_up(figures, parents)
    rows = tuple(
        UnitRow(
            u.id, u.name, u.path, u.parent_id, u.kind, u.is_pilot, figures[u.id], subtree[u.id]
        )
        for u in units
    )
    roots = tuple(u.id for u in units if u.parent_id not in parents)
    # Every unit is in exactly one root's subtree: the roots' sum is every unit's.
    return Overview(scope, today, total(subtree[r] for r in roots), rows, roots)


def restrict(ov: Overview, unit_ids: Iterable[int] | None) -> Overview:
    """The same figures for a smaller scope (a leader's subtree within a district-wide count):
    plain arithmetic over the rows already counted, no query."""
    if unit_ids is None:
        return ov
    keep = set(unit_ids)
    rows = [u for u in ov.units if u.unit_id in keep]
    own = {u.unit_id: u.own for u in rows}
    parents = {u.unit_id: u.parent_id for u in rows}
    subtree = roll_up(own, parents)
    units = tuple(replace(u, subtree=subtree[u.unit_id]) for u in rows)
    roots = tuple(u.unit_id for u in rows if u.parent_id not in parents)
    return Overview(Scope.of(keep), ov.today, total(own.values()), units, roots)
