"""The overview: the seed's table (powers, risk points, measures, coverage, pending, feedback)
for a scope, per unit and in total.

    figures = await overview(session, Scope.district(), today=today)
    figures.total.risks_level1              # 683 on the seed-shaped data set
    figures.row(unit_id).subtree.measures   # a bureau with its departments
    figures.children(None)                  # the top units of the scope, for the chart

Counting is a handful of aggregate queries grouped by unit (never one per record), so a
province (4,000 units, 235,100 risk points) is counted in well under a second; sums,
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
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.stats import (
    COUNTED_STATES,
    PENDING_REVIEW_STATES,
    STATE_GROUPS,
    Figures,
    Ranked,
    rank,
    roll_up,
    total,
)
from bot.services.stats.feedback_source import feedback_by_unit
from storage.models.org import Post, Unit
from storage.models.register import (
    ControlMeasure,
    MeasureReport,
    MeasureStatus,
    Power,
    PowerScope,
    PowerStatus,
    RiskPoint,
)

# Powers counted as inventoried: sent for confirmation or confirmed (not returned, withdrawn).
COUNTED_POWER_STATES = (PowerStatus.SUBMITTED.value, PowerStatus.CONFIRMED.value)
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
) -> Overview:
    """The seed's table for `scope` on `today` (the programme's local day).

    Measures are overdue when their deadline is before `today`; a pending review waits
    "too long" past `review_limit_days` (the review reminder setting).
    """
    units = await _units(session, scope)
    own: dict[int, dict[str, Any]] = defaultdict(dict)
    for unit_id, values in (await _powers(session, scope)).items():
        own[unit_id].update(values)
    for unit_id, values in (await _coverage(session, scope)).items():
        own[unit_id].update(values)
    for unit_id, values in (await _risks(session, scope)).items():
        own[unit_id].update(values)
    for unit_id, values in (await _measures(session, scope, today)).items():
        own[unit_id].update(values)
    now = datetime.combine(today, time(23, 59), tzinfo=UTC)
    limit = now - timedelta(days=review_limit_days)
    for unit_id, values in (await _pending(session, scope, now, limit)).items():
        own[unit_id].update(values)
    figures = {u.id: Figures(**own.get(u.id, {})) for u in units}
    for unit_id, feedback in (
        await feedback_by_unit(session, scope.unit_ids, today=today)
    ).items():
        if unit_id in figures:
            figures[unit_id] = replace(figures[unit_id], **feedback)
    parents = {u.id: u.parent_id for u in units}
    subtree = roll_up(figures, parents)
    rows = tuple(
        UnitRow(
            u.id, u.name, u.path, u.parent_id, u.kind, u.is_pilot, figures[u.id], subtree[u.id]
        )
        for u in units
    )
    roots = tuple(u.id for u in units if u.parent_id not in parents)
    return Overview(scope, today, total(figures.values()), rows, roots)


# --- the queries, each one round trip grouped by unit -------------------------------------


def _in_scope(statement: Select[Any], column: Any, scope: Scope) -> Select[Any]:
    if scope.unit_ids is None:
        return statement
    return statement.where(column.in_(sorted(scope.unit_ids)))


async def _units(session: AsyncSession, scope: Scope) -> list[Any]:
    statement = _in_scope(
        select(Unit.id, Unit.name, Unit.path, Unit.parent_id, Unit.kind, Unit.is_pilot),
        Unit.id,
        scope,
    )
    return list((await session.execute(statement.order_by(Unit.path))).all())


async def _powers(session: AsyncSession, scope: Scope) -> dict[int, dict[str, Any]]:
    statement = _in_scope(
        select(Power.unit_id, Power.scope, Power.category, func.count())
        .where(Power.status.in_(COUNTED_POWER_STATES))
        .group_by(Power.unit_id, Power.scope, Power.category),
        Power.unit_id,
        scope,
    )
    out: dict[int, dict[str, Any]] = {}
    for unit_id, power_scope, category, count in await session.execute(statement):
        values = out.setdefault(
            unit_id, {"powers": 0, "powers_external": 0, "powers_internal": 0, "by": {}}
        )
        values["powers"] += count
        if power_scope == PowerScope.EXTERNAL.value:
            values["powers_external"] += count
        else:
            values["powers_internal"] += count
        key = f"{power_scope}/{category}"
        values["by"][key] = values["by"].get(key, 0) + count
    return {
        unit_id: {
            **{k: v for k, v in values.items() if k != "by"},
            "powers_by_category": values["by"],
        }
        for unit_id, values in out.items()
    }


async def _coverage(session: AsyncSession, scope: Scope) -> dict[int, dict[str, Any]]:
    """Posts, and how many have powers, risks declared, every measure reported (per unit)."""
    with_powers = (
        select(Power.post_id.label("post_id"))
        .where(Power.status.in_(COUNTED_POWER_STATES), Power.post_id.is_not(None))
        .group_by(Power.post_id)
        .subquery()
    )
    with_risks = (
        select(RiskPoint.post_id.label("post_id"))
        .where(RiskPoint.status.in_(COUNTED_STATES))
        .group_by(RiskPoint.post_id)
        .subquery()
    )
    reported_ids = select(MeasureReport.measure_id).group_by(MeasureReport.measure_id).subquery()
    reported = case(
        (ControlMeasure.status == MeasureStatus.DONE.value, 1),
        (reported_ids.c.measure_id.is_not(None), 1),
        else_=0,
    )
    measures = (
        select(
            RiskPoint.post_id.label("post_id"),
            func.count().label("total"),
            func.sum(reported).label("reported"),
        )
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .outerjoin(reported_ids, reported_ids.c.measure_id == ControlMeasure.id)
        .where(RiskPoint.status.in_(COUNTED_STATES))
        .group_by(RiskPoint.post_id)
        .subquery()
    )
    fully = case((measures.c.total == measures.c.reported, 1), else_=0)
    statement = _in_scope(
        select(
            Post.unit_id,
            func.count(Post.id),
            func.count(with_powers.c.post_id),
            func.count(with_risks.c.post_id),
            func.coalesce(func.sum(fully), 0),
        )
        .outerjoin(with_powers, with_powers.c.post_id == Post.id)
        .outerjoin(with_risks, with_risks.c.post_id == Post.id)
        .outerjoin(measures, measures.c.post_id == Post.id)
        .group_by(Post.unit_id),
        Post.unit_id,
        scope,
    )
    return {
        unit_id: {
            "posts": posts,
            "posts_with_powers": powers,
            "posts_with_risks": risks,
            "posts_fully_reported": int(reported_posts),
        }
        for unit_id, posts, powers, risks, reported_posts in await session.execute(statement)
    }


def _level() -> Any:
    return func.coalesce(RiskPoint.level, RiskPoint.suggested_level)


async def _risks(session: AsyncSession, scope: Scope) -> dict[int, dict[str, Any]]:
    level = _level()
    focus = func.sum(case((RiskPoint.focus_programme.is_not(None), 1), else_=0))
    statement = _in_scope(
        select(
            Post.unit_id,
            Post.is_leadership,
            level,
            RiskPoint.risk_type,
            RiskPoint.status,
            func.count(),
            focus,
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .where(RiskPoint.status.in_(COUNTED_STATES))
        .group_by(Post.unit_id, Post.is_leadership, level, RiskPoint.risk_type, RiskPoint.status),
        Post.unit_id,
        scope,
    )
    out: dict[int, dict[str, Any]] = {}
    level_field = {1: "risks_level1", 2: "risks_level2", 3: "risks_level3"}
    for unit_id, leadership, lvl, risk_type, status, count, focused in await session.execute(
        statement
    ):
        values = out.setdefault(
            unit_id,
            {
                "risks": 0,
                "risks_level1": 0,
                "risks_level2": 0,
                "risks_level3": 0,
                "risks_unlevelled": 0,
                "risks_by_type": {},
                "risks_by_state": {},
                "focus_risks": 0,
                "leadership_risks": 0,
            },
        )
        values["risks"] += count
        values[level_field.get(lvl, "risks_unlevelled")] += count
        by_type = values["risks_by_type"]
        by_type[risk_type] = by_type.get(risk_type, 0) + count
        group = STATE_GROUPS[status].value
        values["risks_by_state"][group] = values["risks_by_state"].get(group, 0) + count
        values["focus_risks"] += int(focused or 0)
        if leadership:
            values["leadership_risks"] += count
    return out


async def _measures(session: AsyncSession, scope: Scope, today: date) -> dict[int, dict[str, Any]]:
    done = ControlMeasure.status == MeasureStatus.DONE.value

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    statement = _in_scope(
        select(
            Post.unit_id,
            Post.is_leadership,
            func.count(),
            count_if(done),
            count_if(~done & (ControlMeasure.deadline < today)),
            count_if(done & (func.date(ControlMeasure.updated_at) <= ControlMeasure.deadline)),
        )
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .join(Post, Post.id == RiskPoint.post_id)
        .where(RiskPoint.status.in_(COUNTED_STATES))
        .group_by(Post.unit_id, Post.is_leadership),
        Post.unit_id,
        scope,
    )
    out: dict[int, dict[str, Any]] = {}
    for unit_id, leadership, count, done_count, overdue, on_time in await session.execute(
        statement
    ):
        values = out.setdefault(
            unit_id,
            {
                "measures": 0,
                "measures_done": 0,
                "measures_open": 0,
                "measures_overdue": 0,
                "measures_done_on_time": 0,
                "leadership_measures": 0,
            },
        )
        values["measures"] += count
        values["measures_done"] += int(done_count)
        values["measures_overdue"] += int(overdue)
        values["measures_open"] += count - int(done_count) - int(overdue)
        values["measures_done_on_time"] += int(on_time)
        if leadership:
            values["leadership_measures"] += count
    return out


async def _pending(
    session: AsyncSession, scope: Scope, now: datetime, limit: datetime
) -> dict[int, dict[str, Any]]:
    statement = _in_scope(
        select(
            Post.unit_id,
            func.count(),
            func.min(RiskPoint.updated_at),
            func.coalesce(func.sum(case((RiskPoint.updated_at < limit, 1), else_=0)), 0),
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .where(RiskPoint.status.in_(PENDING_REVIEW_STATES))
        .group_by(Post.unit_id),
        Post.unit_id,
        scope,
    )
    out: dict[int, dict[str, Any]] = {}
    for unit_id, count, oldest, over in await session.execute(statement):
        waited = max((now - oldest).days, 0) if oldest is not None else 0
        out[unit_id] = {
            "pending_reviews": count,
            "pending_over_limit": int(over),
            "pending_longest_days": waited,
        }
    return out


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
