"""The overview's queries: each one round trip, aggregated in the database, per unit or per
post (a post's facts are folded into its unit here, in memory).

Six statements for any scope, and each big table is read once or twice: powers (grouped by
unit and category; the posts that have one), risk points (grouped by unit, level and state,
with the types, focus programmes, leadership and waiting times as conditional sums; the posts
that have one), measures with their risk points and reports (grouped by post: done, overdue,
on time, reported). Which records count is in `bot.domain.stats`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.register_rules import RISK_TYPES
from bot.domain.stats import COUNTED_STATES, PENDING_REVIEW_STATES, STATE_GROUPS
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
LEVEL_FIELDS = {1: "risks_level1", 2: "risks_level2", 3: "risks_level3"}

Values = dict[int, dict[str, Any]]

# Any SELECT, whatever its columns (Select is variadic in its row's types).
AnySelect = Select[*tuple[Any, ...]]
S = TypeVar("S", bound=AnySelect)


def _in_scope(statement: S, column: Any, unit_ids: frozenset[int] | None) -> S:
    return statement if unit_ids is None else statement.where(column.in_(sorted(unit_ids)))


# A scope this small names its posts in the query; a larger one reads all and drops the rest.
POSTS_IN_QUERY = 2000


def _of_posts(statement: S, unit_ids: frozenset[int] | None, post_map: dict[int, Any]) -> S:
    if unit_ids is None or len(post_map) > POSTS_IN_QUERY:
        return statement
    return statement.where(RiskPoint.post_id.in_(sorted(post_map)))


async def _rows(session: AsyncSession, statement: AnySelect) -> Any:
    """Run on the session's connection: plain rows, without the ORM's result machinery."""
    connection = await session.connection()
    return (await connection.execute(statement)).all()  # one fetch, not a row at a time


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _add(values: dict[str, Any], key: str, n: int) -> None:
    values[key] = values.get(key, 0) + n


def _add_to_map(values: dict[str, Any], field: str, key: str, n: int) -> None:
    bucket = values.setdefault(field, {})
    bucket[key] = bucket.get(key, 0) + n


async def units(session: AsyncSession, unit_ids: frozenset[int] | None) -> list[Any]:
    statement = select(Unit.id, Unit.name, Unit.path, Unit.parent_id, Unit.kind, Unit.is_pilot)
    statement = _in_scope(statement, Unit.id, unit_ids).order_by(Unit.path)
    return list(await _rows(session, statement))


async def posts(session: AsyncSession, unit_ids: frozenset[int] | None) -> dict[int, Any]:
    """Every post of the scope: its unit, whether it leads, and whether it has inventoried a
    power and declared a risk point (index probes per post, not scans)."""
    has_power = exists().where(Power.post_id == Post.id, Power.status.in_(COUNTED_POWER_STATES))
    has_risk = exists().where(RiskPoint.post_id == Post.id, RiskPoint.status.in_(COUNTED_STATES))
    statement = select(
        Post.id,
        Post.unit_id,
        Post.is_leadership,
        has_power.label("has_power"),
        has_risk.label("has_risk"),
    )
    statement = _in_scope(statement, Post.unit_id, unit_ids)
    return {row.id: row for row in await _rows(session, statement)}


async def powers(
    session: AsyncSession, unit_ids: frozenset[int] | None, post_map: dict[int, Any], out: Values
) -> None:
    statement = _in_scope(
        select(Power.unit_id, Power.scope, Power.category, func.count())
        .where(Power.status.in_(COUNTED_POWER_STATES))
        .group_by(Power.unit_id, Power.scope, Power.category),
        Power.unit_id,
        unit_ids,
    )
    for unit_id, scope, category, n in await _rows(session, statement):
        values = out[unit_id]
        _add(values, "powers", n)
        external = scope == PowerScope.EXTERNAL.value
        _add(values, "powers_external" if external else "powers_internal", n)
        _add_to_map(values, "powers_by_category", f"{scope}/{category}", n)


async def risks(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    post_map: dict[int, Any],
    out: Values,
    *,
    now: datetime,
    limit: datetime,
) -> None:
    level = func.coalesce(RiskPoint.level, RiskPoint.suggested_level)
    by_type = [_count_if(RiskPoint.risk_type == kind) for kind in RISK_TYPES]
    statement = _in_scope(
        select(
            Post.unit_id,
            level,
            RiskPoint.status,
            func.count(),
            _count_if(RiskPoint.focus_programme.is_not(None)),
            _count_if(Post.is_leadership.is_(True)),
            func.min(RiskPoint.updated_at),
            _count_if(RiskPoint.updated_at < limit),
            *by_type,
        )
        .join(Post, Post.id == RiskPoint.post_id)
        .group_by(Post.unit_id, level, RiskPoint.status),
        Post.unit_id,
        unit_ids,
    )
    for unit_id, lvl, status, n, focus, leadership, oldest, over, *types in await _rows(
        session, statement
    ):
        if status not in STATE_GROUPS:
            continue  # drafts, proposals, disputes, withdrawn: not counted (grouped, not filtered)
        values = out[unit_id]
        _add(values, "risks", n)
        _add(values, LEVEL_FIELDS.get(lvl, "risks_unlevelled"), n)
        _add_to_map(values, "risks_by_state", STATE_GROUPS[status].value, n)
        by_type = values.setdefault("risks_by_type", {})
        for kind, count in zip(RISK_TYPES, types, strict=True):
            if count:
                by_type[kind] = by_type.get(kind, 0) + int(count)
        _add(values, "focus_risks", int(focus))
        _add(values, "leadership_risks", int(leadership))
        if status in PENDING_REVIEW_STATES:
            _add(values, "pending_reviews", n)
            _add(values, "pending_over_limit", int(over))
            waited = max((now - oldest).days, 0) if oldest is not None else 0
            values["pending_longest_days"] = max(values.get("pending_longest_days", 0), waited)


async def measures(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    post_map: dict[int, Any],
    out: Values,
    *,
    today: date,
) -> None:
    """Per post: measures, done, overdue, done on time, reported (done or with a report)."""
    done = ControlMeasure.status == MeasureStatus.DONE.value
    reported_ids = select(MeasureReport.measure_id).group_by(MeasureReport.measure_id).subquery()
    statement = (
        select(
            RiskPoint.post_id,
            func.count(),
            _count_if(done),
            _count_if(~done & (ControlMeasure.deadline < today)),
            _count_if(done & (func.date(ControlMeasure.updated_at) <= ControlMeasure.deadline)),
            _count_if(done | reported_ids.c.measure_id.is_not(None)),
        )
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .outerjoin(reported_ids, reported_ids.c.measure_id == ControlMeasure.id)
        .where(RiskPoint.status.in_(COUNTED_STATES))
        .group_by(RiskPoint.post_id)
    )
    statement = _of_posts(statement, unit_ids, post_map)
    for post_id, n, done_n, overdue, on_time, reported in await _rows(session, statement):
        post = post_map.get(post_id)
        if post is None:
            continue  # outside the scope
        values = out[post.unit_id]
        _add(values, "measures", n)
        _add(values, "measures_done", int(done_n))
        _add(values, "measures_overdue", int(overdue))
        _add(values, "measures_open", n - int(done_n) - int(overdue))
        _add(values, "measures_done_on_time", int(on_time))
        if post.is_leadership:
            _add(values, "leadership_measures", n)
        if int(reported) == n:
            _add(values, "posts_fully_reported", 1)


async def count_all(
    session: AsyncSession,
    unit_ids: frozenset[int] | None,
    *,
    today: date,
    now: datetime,
    limit: datetime,
) -> tuple[list[Any], Values]:
    """The units of the scope and each one's own counts (`Figures` field → value)."""
    unit_rows = await units(session, unit_ids)
    post_map = await posts(session, unit_ids)
    out: Values = defaultdict(dict)
    for post in post_map.values():
        values = out[post.unit_id]
        _add(values, "posts", 1)
        _add(values, "posts_with_powers", int(bool(post.has_power)))
        _add(values, "posts_with_risks", int(bool(post.has_risk)))
    await powers(session, unit_ids, post_map, out)
    await risks(session, unit_ids, post_map, out, now=now, limit=limit)
    await measures(session, unit_ids, post_map, out, today=today)
    return unit_rows, out
