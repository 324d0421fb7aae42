"""The overview's queries: each one round trip, aggregated in the database, one row per unit
(powers: per unit and category), so what comes back to Python is a few thousand rows at a
province's scale, not one per record or per post.

After the scope's units, five statements for any scope, each big table read once, in the
order of an index that holds every column the statement reads (a covering index, migration
0018), so the database reads no table row and sorts little (EXPLAIN QUERY PLAN / ANALYZE in
README's bench-stats figures):

* posts: per unit, how many, and how many have inventoried a power / declared a risk point
  (index probes per post);
* powers: per unit, scope and category (``ix_powers_counts``);
* risk points: per unit, by level, state group, type, focus programme and leadership as
  ``count(*) FILTER (WHERE …)`` — cheaper than ``sum(CASE …)``: a false condition skips the
  aggregate step (``ix_risk_points_counts`` beside ``ix_posts_counts``); the last state
  group is what the other three leave (they split the counted states), one test a row less;
* pending reviews: only the risk points waiting for a reviewer (a few percent), per unit,
  with how many wait too long and the longest wait;
* measures with their risk points and reports: per post (a post is fully reported when each
  of its measures is), folded per unit in the same statement (``ix_control_measures_counts``).

Which records count is in `bot.domain.stats`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, Text, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.register_rules import RISK_TYPES
from bot.domain.stats import COUNTED_STATES, LEVELS, PENDING_REVIEW_STATES, STATE_GROUPS
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
# Each state group's states, in the order of the statement's columns.
GROUP_STATES: dict[str, tuple[str, ...]] = {}
for _state, _group in STATE_GROUPS.items():
    GROUP_STATES[_group.value] = (*GROUP_STATES.get(_group.value, ()), _state)

Values = dict[int, dict[str, Any]]


@dataclass(frozen=True)
class Window:
    """The days a unit's overdue count (counted on one day) holds for, ends included: no
    not-done measure's deadline falls between. None: open on that side."""

    first: date | None = None
    last: date | None = None

    @classmethod
    def around(cls, before: date | None, after: date | None) -> Window:
        """From the latest not-done deadline before the day counted on (the day after it)
        to the earliest on or after it (that day: overdue from the next)."""
        return cls(None if before is None else before + timedelta(days=1), after)

    def holds(self, day: date) -> bool:
        return (self.first is None or self.first <= day) and (
            self.last is None or day <= self.last
        )


Windows = dict[int, Window]


def _day(value: Any) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


# Any SELECT, whatever its columns (Select is variadic in its row's types).
AnySelect = Select[*tuple[Any, ...]]
S = TypeVar("S", bound=AnySelect)

# A scope this small names its units in the query; a larger one (a province's subtree) reads
# everything and drops the rows of other units, which are one per unit and cheap.
UNITS_IN_QUERY = 2000


def _in_scope(statement: S, column: Any, unit_ids: frozenset[int] | None) -> S:
    if unit_ids is None or len(unit_ids) > UNITS_IN_QUERY:
        return statement
    return statement.where(column.in_(sorted(unit_ids)))


async def plain_rows(session: AsyncSession, statement: AnySelect) -> Any:
    """Run on the session's connection: plain rows, without the ORM's result machinery."""
    connection = await session.connection()
    return (await connection.execute(statement)).all()  # one fetch, not a row at a time


def _count_if(condition: Any) -> Any:
    return func.count().filter(condition)


async def units(session: AsyncSession, unit_ids: frozenset[int] | None) -> list[Any]:
    statement = select(Unit.id, Unit.name, Unit.path, Unit.parent_id, Unit.kind, Unit.is_pilot)
    statement = _in_scope(statement, Unit.id, unit_ids).order_by(Unit.path)
    rows = await plain_rows(session, statement)
    return [row for row in rows if unit_ids is None or row.id in unit_ids]


def _values(out: Values, unit_ids: frozenset[int] | None, unit_id: int) -> dict[str, Any] | None:
    return out[unit_id] if unit_ids is None or unit_id in unit_ids else None


async def posts(session: AsyncSession, unit_ids: frozenset[int] | None, out: Values) -> None:
    """Per unit: posts, those that have inventoried a power and declared a risk point."""
    has_power = exists().where(Power.post_id == Post.id, Power.status.in_(COUNTED_POWER_STATES))
    has_risk = exists().where(RiskPoint.post_id == Post.id, RiskPoint.status.in_(COUNTED_STATES))
    statement = _in_scope(
        select(Post.unit_id, func.count(), _count_if(has_power), _count_if(has_risk)).group_by(
            Post.unit_id
        ),
        Post.unit_id,
        unit_ids,
    )
    for unit_id, n, with_powers, with_risks in await plain_rows(session, statement):
        values = _values(out, unit_ids, unit_id)
        if values is not None:
            values.update(posts=n, posts_with_powers=with_powers, posts_with_risks=with_risks)


def _sqlite(session: AsyncSession) -> bool:
    return bool(session.get_bind().dialect.name == "sqlite")


def _json_array_agg(session: AsyncSession, *columns: Any) -> Any:
    """One JSON array per group of the rows' `columns` (each row an array): what
    PostgreSQL calls json_agg(json_build_array(…)) and SQLite json_group_array(json_array(…)).
    """
    if _sqlite(session):
        return func.json_group_array(func.json_array(*columns), type_=Text)
    return func.json_agg(func.json_build_array(*columns), type_=Text)


async def powers(session: AsyncSession, unit_ids: frozenset[int] | None, out: Values) -> None:
    """Per unit and category (scope/category), one row per unit: the categories' counts
    come back as one JSON array, parsed in C, not as ~10 rows per unit."""
    per_category = _in_scope(
        select(Power.unit_id, Power.scope, Power.category, func.count().label("n"))
        .where(Power.status.in_(COUNTED_POWER_STATES))
        .group_by(Power.unit_id, Power.scope, Power.category),
        Power.unit_id,
        unit_ids,
    ).subquery()
    c = per_category.c
    external = c.scope == PowerScope.EXTERNAL.value
    statement = select(
        c.unit_id,
        func.sum(c.n),
        func.coalesce(func.sum(case((external, c.n), else_=0)), 0),
        _json_array_agg(session, c.scope, c.category, c.n),
    ).group_by(c.unit_id)
    for unit_id, n, n_external, categories in await plain_rows(session, statement):
        values = _values(out, unit_ids, unit_id)
        if values is not None:
            if isinstance(categories, str):  # SQLite's text (asyncpg decodes json itself)
                categories = json.loads(categories)
            n, n_external = int(n), int(n_external)
            values.update(
                powers=n,
                powers_external=n_external,
                powers_internal=n - n_external,
                powers_by_category={
                    f"{scope}/{category}": count for scope, category, count in categories
                },
            )


async def risks(session: AsyncSession, unit_ids: frozenset[int] | None, out: Values) -> None:
    """Per unit: counted risk points by level, state group, type; focus and leadership."""
    level = func.coalesce(RiskPoint.level, RiskPoint.suggested_level)
    # The groups split the counted states: the last one is what the others leave.
    *first_groups, _last = GROUP_STATES.values()
    statement = _in_scope(
        select(
            Post.unit_id,
            func.count(),
            *(_count_if(level == n) for n in LEVELS),
            *(_count_if(RiskPoint.status.in_(states)) for states in first_groups),
            *(_count_if(RiskPoint.risk_type == kind) for kind in RISK_TYPES),
            _count_if(RiskPoint.focus_programme.is_not(None)),
            _count_if(Post.is_leadership),
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .where(RiskPoint.status.in_(COUNTED_STATES))
        .group_by(Post.unit_id),
        Post.unit_id,
        unit_ids,
    )
    levels, groups = len(LEVELS), len(first_groups)
    for unit_id, n, *rest in await plain_rows(session, statement):
        values = _values(out, unit_ids, unit_id)
        if values is None:
            continue
        by_level, rest = rest[:levels], rest[levels:]
        by_group, rest = rest[:groups], rest[groups:]
        by_group.append(n - sum(by_group))
        by_type, (focus, leadership) = rest[: len(RISK_TYPES)], rest[len(RISK_TYPES) :]
        values.update(
            risks=n,
            risks_level1=by_level[0],
            risks_level2=by_level[1],
            risks_level3=by_level[2],
            risks_unlevelled=n - sum(by_level),
            risks_by_state={g: c for g, c in zip(GROUP_STATES, by_group, strict=True) if c},
            risks_by_type={k: c for k, c in zip(RISK_TYPES, by_type, strict=True) if c},
            focus_risks=focus,
            leadership_risks=leadership,
        )


async def pending(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    out: Values,
    *,
    now: datetime,
    limit: datetime,
) -> None:
    """Per unit: risk points waiting for a reviewer, those waiting since before `limit`, and
    the longest wait in days (only the waiting ones are read, by the status index)."""
    statement = _in_scope(
        select(
            Post.unit_id,
            func.count(),
            _count_if(RiskPoint.updated_at < limit),
            func.min(RiskPoint.updated_at),
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .where(RiskPoint.status.in_(PENDING_REVIEW_STATES))
        .group_by(Post.unit_id),
        Post.unit_id,
        unit_ids,
    )
    for unit_id, n, over, oldest in await plain_rows(session, statement):
        values = _values(out, unit_ids, unit_id)
        if values is not None:
            waited = max((now - oldest).days, 0) if oldest is not None else 0
            values.update(pending_reviews=n, pending_over_limit=over, pending_longest_days=waited)


async def measures(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    out: Values,
    *,
    today: date,
    windows: Windows | None = None,
) -> None:
    """Per unit: measures, done, overdue, done on time, of leadership posts; and the posts
    whose every measure is reported (done, or with a report). With `windows`, also each
    unit's days its overdue count holds for (`Window`).

    Posts, then their risk points, then the measures, each by index, so the rows come in
    unit and post order and are grouped per post as they stream (no sort)."""
    done = ControlMeasure.status == MeasureStatus.DONE.value
    reported = done | ControlMeasure.id.in_(select(MeasureReport.measure_id))
    day_done = func.date(ControlMeasure.updated_at)
    counted = RiskPoint.status.in_(COUNTED_STATES)
    if _sqlite(session):
        # SQLite keeps UTC times as "YYYY-MM-DD HH:MM:SS…": the day is the first ten
        # characters (what date() returns, without parsing). A risk point's state is
        # tested on its row, not by one index probe per state and post: coalesce() on the
        # NOT NULL column keeps the planner from the probes (the same rows, half the time).
        day_done = func.substr(ControlMeasure.updated_at, 1, 10)
        counted = func.coalesce(RiskPoint.status, "").in_(COUNTED_STATES)
    per_post = _in_scope(
        select(
            Post.unit_id.label("unit_id"),
            Post.is_leadership.label("leadership"),
            func.count().label("n"),
            _count_if(done).label("done"),
            _count_if(~done & (ControlMeasure.deadline < today)).label("overdue"),
            _count_if(done & (day_done <= ControlMeasure.deadline)).label("on_time"),
            _count_if(reported).label("reported"),
            # The not-done deadlines nearest `today` on either side (see `Window`).
            func.max(
                case((~done & (ControlMeasure.deadline < today), ControlMeasure.deadline))
            ).label("before"),
            func.min(
                case((~done & (ControlMeasure.deadline >= today), ControlMeasure.deadline))
            ).label("after"),
        )
        .select_from(Post)
        .join(RiskPoint, RiskPoint.post_id == Post.id)
        .join(ControlMeasure, ControlMeasure.risk_id == RiskPoint.id)
        .where(counted)
        .group_by(Post.unit_id, Post.is_leadership, Post.id),
        Post.unit_id,
        unit_ids,
    ).subquery()
    p = per_post.c
    statement = select(
        p.unit_id,
        func.sum(p.n),
        func.sum(p.done),
        func.sum(p.overdue),
        func.sum(p.on_time),
        func.sum(case((p.leadership, p.n), else_=0)),
        _count_if(p.reported == p.n),
        func.max(p.before),
        func.min(p.after),
    ).group_by(p.unit_id)
    for row in await plain_rows(session, statement):
        unit_id, n, done_n, overdue, on_time, leadership, fully, before, after = row
        values = _values(out, unit_ids, unit_id)
        if values is None:
            continue
        if windows is not None:
            windows[unit_id] = Window.around(_day(before), _day(after))
        n, done_n, overdue = int(n), int(done_n), int(overdue)
        values.update(
            measures=n,
            measures_done=done_n,
            measures_overdue=overdue,
            measures_open=n - done_n - overdue,
            measures_done_on_time=int(on_time),
            leadership_measures=int(leadership),
            posts_fully_reported=fully,
        )


async def count_kept(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    out: Values,
    *,
    today: date,
    windows: Windows | None = None,
) -> None:
    """Every count but the pending reviews: what `unit_figures` keeps per unit."""
    await posts(session, unit_ids, out)
    await powers(session, unit_ids, out)
    await risks(session, unit_ids, out)
    await measures(session, unit_ids, out, today=today, windows=windows)


async def count_all(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    *,
    today: date,
    now: datetime,
    limit: datetime,
) -> tuple[list[Any], Values]:
    """The units of the scope and each one's own counts (`Figures` field → value), every
    statement over the register (what `bot.services.stats.summary` keeps is checked against)."""
    unit_rows = await units(session, unit_ids)
    out: Values = defaultdict(dict)
    await count_kept(session, unit_ids, out, today=today)
    await pending(session, unit_ids, out, now=now, limit=limit)
    return unit_rows, out
