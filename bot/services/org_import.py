"""Organisation set-up from files: units with posts, then people. Validate all, then write.

Natural keys make a re-import a no-op: a unit is its path (长安区/卫生局/医政科), a post is
(unit, name), a person is their Telegram id, or (name, unit, post) while still invited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.roles import Role, parse_roles
from bot.services import audit
from bot.services.invitations import create_invitation
from bot.services.people import NAME_MAX, grant
from bot.services.tabular import Row, read_table, truthy
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, Unit
from storage.repositories import org as org_repo

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


@dataclass(frozen=True)
class Problem:
    row: int
    key: str  # catalog key of the reason
    values: dict[str, Any] = field(default_factory=dict)


class ImportRejected(Exception):
    """The file has bad rows; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} bad rows")
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invitations: list[Invitation] = field(default_factory=list)


def _split_path(text: str) -> list[str]:
    return [part.strip() for part in text.replace("／", "/").split("/") if part.strip()]


def _check_units(rows: list[Row]) -> list[Problem]:
    problems = []
    for row in rows:
        parts = _split_path(row.values.get("unit", ""))
        if not parts:
            problems.append(Problem(row.number, "import.unit_missing"))
        elif any(len(part) > 200 for part in parts):
            problems.append(Problem(row.number, "import.too_long", {"limit": 200}))
        kind = row.values.get("kind", "").strip().lower()
        if kind and kind not in KIND_ALIASES:
            problems.append(Problem(row.number, "import.bad_kind", {"value": kind}))
        for column in ("pilot", "leadership"):
            try:
                truthy(row.values.get(column, ""))
            except ValueError:
                problems.append(
                    Problem(row.number, "import.bad_flag", {"value": row.values[column]})
                )
        if len(row.values.get("post", "")) > 200:
            problems.append(Problem(row.number, "import.too_long", {"limit": 200}))
    return problems


async def import_units(session: AsyncSession, clock: Clock, path: Path) -> ImportReport:
    rows = read_table(path, UNIT_COLUMNS)
    problems = _check_units(rows)
    if problems:
        raise ImportRejected(problems)
    report = ImportReport()
    for row in rows:
        parts = _split_path(row.values["unit"])
        unit = await _ensure_unit_path(session, clock, parts, report)
        kind = KIND_ALIASES.get(row.values.get("kind", "").strip().lower())
        pilot = truthy(row.values.get("pilot", ""))
        changes: dict[str, Any] = {}
        if kind and unit.kind != kind:
            changes["kind"] = kind
        if pilot is not None and unit.is_pilot != pilot:
            changes["is_pilot"] = pilot
        await _apply(session, clock, unit, changes, report, "unit.update")
        post_name = row.values.get("post", "").strip()
        if post_name:
            leadership = bool(truthy(row.values.get("leadership", "")))
            post = await org_repo.post_by_name(session, unit.id, post_name)
            if post is None:
                post = Post(unit_id=unit.id, name=post_name, is_leadership=leadership)
                await audit.record_new(
                    session, clock, post, actor=None, channel="cli", action="post.create",
                    fields=(),
                )  # fmt: skip
                report.created += 1
            else:
                changes = {"is_leadership": leadership} if post.is_leadership != leadership else {}
                await _apply(session, clock, post, changes, report, "post.update")
    return report


async def _apply(
    session: AsyncSession,
    clock: Clock,
    entity: Any,
    changes: dict[str, Any],
    report: ImportReport,
    action: str,
) -> None:
    if not changes:
        report.unchanged += 1
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
    report.updated += 1


async def _ensure_unit_path(
    session: AsyncSession, clock: Clock, parts: list[str], report: ImportReport
) -> Unit:
    """The unit at `parts`, creating missing ancestors on the way down."""
    parent: Unit | None = None
    for depth in range(1, len(parts) + 1):
        path = "/".join(parts[:depth])
        unit = await org_repo.unit_by_path(session, path)
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
            report.created += 1
        parent = unit
    assert parent is not None
    return parent


async def _check_people(session: AsyncSession, rows: list[Row]) -> list[Problem]:
    problems = []
    seen_ids: dict[int, int] = {}
    for row in rows:
        name = row.values.get("name", "")
        if not name:
            problems.append(Problem(row.number, "import.name_missing"))
        elif len(name) > NAME_MAX:
            problems.append(Problem(row.number, "import.too_long", {"limit": NAME_MAX}))
        try:
            roles = parse_roles(row.values.get("roles", ""))
            if not roles:
                problems.append(Problem(row.number, "import.roles_missing"))
        except ValueError:
            problems.append(
                Problem(row.number, "import.bad_roles", {"value": row.values.get("roles", "")})
            )
        unit = await org_repo.unit_by_path(
            session, "/".join(_split_path(row.values.get("unit", "")))
        )
        if unit is None:
            problems.append(
                Problem(row.number, "import.unknown_unit", {"value": row.values.get("unit", "")})
            )
        elif (
            row.values.get("post")
            and await org_repo.post_by_name(session, unit.id, row.values["post"]) is None
        ):
            problems.append(
                Problem(row.number, "import.unknown_post", {"value": row.values["post"]})
            )
        raw_id = row.values.get("telegram_id", "")
        if raw_id:
            if not raw_id.isdigit() or not 0 < int(raw_id) < 2**53:
                problems.append(Problem(row.number, "import.bad_telegram_id", {"value": raw_id}))
            elif int(raw_id) in seen_ids:
                problems.append(
                    Problem(
                        row.number,
                        "import.duplicate_telegram_id",
                        {"value": raw_id, "other": seen_ids[int(raw_id)]},
                    )
                )
            else:
                seen_ids[int(raw_id)] = row.number
    return problems


async def import_people(
    session: AsyncSession, clock: Clock, path: Path, *, ttl_days: int
) -> ImportReport:
    rows = read_table(path, PEOPLE_COLUMNS)
    problems = await _check_people(session, rows)
    if problems:
        raise ImportRejected(problems)
    report = ImportReport()
    for row in rows:
        unit = await org_repo.unit_by_path(session, "/".join(_split_path(row.values["unit"])))
        assert unit is not None
        post = (
            await org_repo.post_by_name(session, unit.id, row.values["post"])
            if row.values.get("post")
            else None
        )
        roles = parse_roles(row.values["roles"])
        raw_id = row.values.get("telegram_id", "")
        if raw_id:
            await _upsert_bound_person(
                session, clock, int(raw_id), row.values["name"], unit, post, roles, report
            )
        else:
            await _ensure_invited(
                session, clock, row.values["name"], unit, post, roles, ttl_days, report
            )
    return report


async def _upsert_bound_person(
    session: AsyncSession,
    clock: Clock,
    telegram_id: int,
    name: str,
    unit: Unit,
    post: Post | None,
    roles: list[Role],
    report: ImportReport,
) -> None:
    person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
    created = person is None
    if person is None:
        person = Person(
            telegram_id=telegram_id, name=name, created_at=clock.now(), role_assignments=[]
        )
        session.add(person)
    before = audit.snapshot(person, "name", "unit_id", "post_id") | {"roles": sorted(person.roles)}
    person.name, person.unit_id, person.post_id = name, unit.id, post.id if post else None
    for role in roles:
        grant(person, role, unit)
    await session.flush()
    after = audit.snapshot(person, "name", "unit_id", "post_id") | {"roles": sorted(person.roles)}
    if created:
        report.created += 1
    elif before == after:
        report.unchanged += 1
        return
    else:
        report.updated += 1
    audit.record(
        session,
        clock,
        actor=None,
        channel="cli",
        action="person.import",
        entity=person,
        before=None if created else before,
        after=after,
    )


async def _ensure_invited(
    session: AsyncSession,
    clock: Clock,
    name: str,
    unit: Unit,
    post: Post | None,
    roles: list[Role],
    ttl_days: int,
    report: ImportReport,
) -> None:
    post_id = post.id if post else None
    bound = await session.scalar(
        select(Person).where(
            Person.name == name, Person.unit_id == unit.id, Person.post_id == post_id
        )
    )
    pending = await session.scalar(
        select(Invitation).where(
            Invitation.name == name,
            Invitation.unit_id == unit.id,
            Invitation.post_id == post_id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > clock.now(),
        )
    )
    if bound is not None or pending is not None:
        report.unchanged += 1
        return
    invitation = await create_invitation(
        session,
        clock,
        actor=None,
        unit=unit,
        post=post,
        roles=roles,
        name=name,
        ttl_days=ttl_days,
        channel="cli",
    )
    report.invitations.append(invitation)
    report.created += 1
