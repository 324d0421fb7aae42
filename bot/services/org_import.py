"""Organisation set-up from files: units with posts, then people. Validate all, then write.

Natural keys make a re-import a no-op: a unit is its path (长安区/卫生局/医政科), a post is
(unit, name), a person is their Telegram id, or (name, unit, post) while still invited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PEOPLE_HEADER",
    "UNIT_HEADER",
    "ImportRejected",
    "ImportReport",
    "Problem",
    "import_units",
]

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.services import audit
from bot.services.import_checks import (
    ImportRejected,
    Problem,
    Problems,
    TooManyProblems,
    audit_created,
    check_cells,
    insert_rows,
)
from bot.services.tabular import Row, read_table, truthy
from storage.models.invitation import Invitation
from storage.models.org import Post, Unit

UNIT_COLUMNS = {
    "unit": ("单位", "unit_path", "path"),
    "kind": ("类型", "单位类型", "type"),
    "pilot": ("试点", "is_pilot"),
    "post": ("岗位", "post_name"),
    "leadership": ("领导岗位", "领导班子成员", "is_leadership"),
}
PEOPLE_COLUMNS = {
    "name": ("姓名", "full_name"),
    "unit": ("单位", "unit_path"),
    "post": ("岗位",),
    "roles": ("角色",),
    "telegram_id": ("telegram", "tg_id", "telegram id"),
}
# The headers a file written for these imports uses (the first name of each column).
UNIT_HEADER = ("单位", "类型", "试点", "岗位", "领导岗位")
PEOPLE_HEADER = ("姓名", "单位", "岗位", "角色", "telegram")
KIND_ALIASES = {
    "district": "district",
    "区": "district",
    "区级": "district",
    "bureau": "bureau",
    "局": "bureau",
    "单位": "bureau",
    "department": "department",
    "科室": "department",
    "部门": "department",
    "股室": "department",
}
DEPTH_KIND = {1: "district", 2: "bureau"}


@dataclass
class Tally:
    """What an import did to one kind of record (units, posts, people, invitations)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """Totals per kind (`tallies`), and the sums over kinds (`created` …)."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    invitations: list[Invitation] = field(default_factory=list)

    def of(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())

    @property
    def created(self) -> int:
        return sum(t.created for t in self.tallies.values())

    @property
    def updated(self) -> int:
        return sum(t.updated for t in self.tallies.values())

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tallies.values())


def _split_path(text: str) -> list[str]:
    return [part.strip() for part in text.replace("／", "/").split("/") if part.strip()]


def _checked(rows: Iterable[Row], check: Callable[[Row, Problems], None]) -> list[Row]:
    """The rows, each checked; `ImportRejected` with every problem (at most `ERRORS_MAX`)."""
    problems, kept = Problems(), []
    number = None
    try:
        for row in rows:
            number = row.number
            check(row, problems)
            kept.append(row)
    except TooManyProblems:
        problems.reject(stopped_at=number)
    problems.reject()
    return kept


def _check_unit(row: Row, problems: Problems) -> None:
    check_cells(row, problems, {"post": 200})
    parts = _split_path(row.values.get("unit", ""))
    if not parts:
        problems.flag(row, "import.unit_missing")
    elif any(len(part) > 200 for part in parts):
        problems.flag(row, "import.too_long", limit=200)
    kind = row.values.get("kind", "").strip().lower()
    if kind and kind not in KIND_ALIASES:
        problems.flag(row, "import.bad_kind", value=kind)
    for column in ("pilot", "leadership"):
        try:
            truthy(row.values.get(column, ""))
        except ValueError:
            problems.flag(row, "import.bad_flag", value=row.values[column])


async def import_units(session: AsyncSession, clock: Clock, path: Path) -> ImportReport:
    """Units (with their ancestors) and posts; each counted once per kind: created, updated
    (a kind, pilot or leadership flag that differs) or unchanged."""
    rows = _checked(read_table(path, UNIT_COLUMNS), _check_unit)
    report = ImportReport()
    units = {u.path: u for u in await session.scalars(select(Unit))}
    posts = {(p.unit_id, p.name): p for p in await session.scalars(select(Post))}
    seen: dict[str, set[Any]] = {"units": set(), "posts": set()}
    fresh: set[Any] = set()
    new_posts: list[Post] = []
    for row in rows:
        parts = _split_path(row.values["unit"])
        unit = await _ensure_unit_path(session, clock, parts, units, report, fresh)
        seen["units"].update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        kind = KIND_ALIASES.get(row.values.get("kind", "").strip().lower())
        pilot = truthy(row.values.get("pilot", ""))
        changes: dict[str, Any] = {}
        if kind and unit.kind != kind:
            changes["kind"] = kind
        if pilot is not None and unit.is_pilot != pilot:
            changes["is_pilot"] = pilot
        await _apply(session, clock, unit, changes, "unit.update", fresh, report.of("units"))
        post_name = row.values.get("post", "").strip()
        if not post_name:
            continue
        leadership = bool(truthy(row.values.get("leadership", "")))
        post = posts.get((unit.id, post_name))
        if post is None:
            # Not added to the session: new posts go in together, below.
            post = Post(unit_id=unit.id, name=post_name, is_leadership=leadership)
            posts[(unit.id, post_name)] = post
            fresh.add(post)
            new_posts.append(post)
        elif post in fresh:
            post.is_leadership = leadership  # the file's last word on a post it creates
        else:
            changes = {"is_leadership": leadership} if post.is_leadership != leadership else {}
            await _apply(session, clock, post, changes, "post.update", fresh, report.of("posts"))
        seen["posts"].add((unit.id, post_name))
    await _insert_posts(session, clock, new_posts)
    report.of("posts").created = len(new_posts)
    for kind, keys in seen.items():
        tally = report.of(kind)
        tally.unchanged = len(keys) - tally.created - tally.updated
    return report


async def _insert_posts(session: AsyncSession, clock: Clock, posts: list[Post]) -> None:
    """The new posts in bulk, each with its `post.create` audit row."""
    rows = [
        {"unit_id": p.unit_id, "name": p.name, "is_leadership": p.is_leadership} for p in posts
    ]
    ids = await insert_rows(session, Post, rows, ids=True)
    await audit_created(session, clock.now(), "post.create", "posts", ((i, {}) for i in ids))


async def _apply(
    session: AsyncSession,
    clock: Clock,
    entity: Any,
    changes: dict[str, Any],
    action: str,
    fresh: set[Any],
    tally: Tally,
) -> None:
    """Apply `changes`, audited; a record is counted updated once, and never when this
    import created it (its creation already says what it is)."""
    if not changes:
        return
    before = audit.snapshot(entity, *changes)
    for name, value in changes.items():
        setattr(entity, name, value)
    await session.flush()
    audit.record(
        session,
        clock,
        actor=None,
        channel="cli",
        action=action,
        entity=entity,
        before=before,
        after=audit.snapshot(entity, *changes),
    )
    if entity not in fresh:
        fresh.add(entity)
        tally.updated += 1


async def _ensure_unit_path(
    session: AsyncSession,
    clock: Clock,
    parts: list[str],
    units: dict[str, Unit],
    report: ImportReport,
    fresh: set[Any],
) -> Unit:
    """The unit at `parts`, creating missing ancestors on the way down."""
    parent: Unit | None = None
    for depth in range(1, len(parts) + 1):
        path = "/".join(parts[:depth])
        unit = units.get(path)
        if unit is None:
            unit = Unit(
                name=parts[depth - 1],
                parent_id=parent.id if parent else None,
                kind=DEPTH_KIND.get(depth, "department"),
                path=path,
            )
            await audit.record_new(
                session, clock, unit, actor=None, channel="cli", action="unit.create", fields=()
            )
            units[path] = unit
            fresh.add(unit)
            report.of("units").created += 1
        parent = unit
    assert parent is not None
    return parent
