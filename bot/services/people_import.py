"""People from a file: bound by Telegram id (created, moved or given roles) or invited by
name, validated first, all or nothing. A Telegram id already bound to someone of another name
is refused with its row: an import never renames a person or hands them another's roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.invitation_rules import expiry, new_code
from bot.domain.roles import Role, parse_roles
from bot.services import audit
from bot.services.import_checks import Problems, audit_created, check_cells, insert_rows
from bot.services.org_import import PEOPLE_COLUMNS, ImportReport, _checked, _split_path
from bot.services.people import NAME_MAX, grant
from bot.services.tabular import Row, read_table
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, Unit


@dataclass
class _PeopleCheck:
    """What checking the people rows needs: the units and posts, the ids seen, who is bound."""

    units: dict[str, Unit]
    posts: dict[tuple[int, str], Post]
    bound: dict[int, str]  # Telegram id → the name of the person already bound to it
    seen_ids: dict[int, int] = field(default_factory=dict)

    def __call__(self, row: Row, problems: Problems) -> None:
        check_cells(row, problems, {"name": NAME_MAX})
        name = row.values.get("name", "")
        if not name:
            problems.flag(row, "import.name_missing")
        try:
            if not parse_roles(row.values.get("roles", "")):
                problems.flag(row, "import.roles_missing")
        except ValueError:
            problems.flag(row, "import.bad_roles", value=row.values.get("roles", ""))
        unit = self.units.get("/".join(_split_path(row.values.get("unit", ""))))
        if unit is None:
            problems.flag(row, "import.unknown_unit", value=row.values.get("unit", ""))
        elif row.values.get("post") and (unit.id, row.values["post"]) not in self.posts:
            problems.flag(row, "import.unknown_post", value=row.values["post"])
        raw_id = row.values.get("telegram_id", "")
        if not raw_id:
            return
        if not raw_id.isdigit() or not 0 < int(raw_id) < 2**53:
            problems.flag(row, "import.bad_telegram_id", value=raw_id)
        elif int(raw_id) in self.seen_ids:
            problems.flag(
                row, "import.duplicate_telegram_id", value=raw_id, other=self.seen_ids[int(raw_id)]
            )
        else:
            self.seen_ids[int(raw_id)] = row.number
            holder = self.bound.get(int(raw_id))
            if holder is not None and name and holder != name:
                # Someone else's account: never rename them or give them this row's roles.
                problems.flag(row, "import.telegram_id_taken", value=raw_id, name=holder)


async def import_people(
    session: AsyncSession, clock: Clock, path: Path, *, ttl_days: int
) -> ImportReport:
    """People bound by Telegram id (created, moved or given roles) or invited by name; a
    Telegram id already bound to someone of another name is refused with the row."""
    units = {u.path: u for u in await session.scalars(select(Unit))}
    posts = {(p.unit_id, p.name): p for p in await session.scalars(select(Post))}
    bound = {
        telegram_id: name
        for telegram_id, name in await session.execute(
            select(Person.telegram_id, Person.name).where(Person.telegram_id.is_not(None))
        )
        if telegram_id is not None
    }
    rows = _checked(read_table(path, PEOPLE_COLUMNS), _PeopleCheck(units, posts, bound))
    report = ImportReport()
    invitations = await _Invitations.load(session, clock, ttl_days)
    for row in rows:
        unit = units["/".join(_split_path(row.values["unit"]))]
        post = posts[(unit.id, row.values["post"])] if row.values.get("post") else None
        roles = parse_roles(row.values["roles"])
        raw_id = row.values.get("telegram_id", "")
        if raw_id:
            await _upsert_bound_person(
                session, clock, int(raw_id), row.values["name"], unit, post, roles, report
            )
        else:
            invitations.add(clock, row.values["name"], unit, post, roles, report)
    await invitations.write(session, clock, report)
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
    tally = report.of("people")
    if created:
        tally.created += 1
    elif before == after:
        tally.unchanged += 1
        return
    else:
        tally.updated += 1
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


@dataclass
class _Invitations:
    """Who is already bound or invited by (name, unit, post), and the invitations to add."""

    taken: set[tuple[str, int, int | None]]
    ttl_days: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def load(cls, session: AsyncSession, clock: Clock, ttl_days: int) -> _Invitations:
        key = (Person.name, Person.unit_id, Person.post_id)
        taken = {(n, u, p) for n, u, p in await session.execute(select(*key)) if u is not None}
        pending = select(Invitation.name, Invitation.unit_id, Invitation.post_id).where(
            Invitation.used_at.is_(None), Invitation.expires_at > clock.now()
        )
        taken |= {(n, u, p) for n, u, p in await session.execute(pending)}
        return cls(taken, ttl_days)

    def add(self, clock: Clock, name: str, unit: Unit, post: Post | None, roles: list[Role],
            report: ImportReport) -> None:  # fmt: skip
        key = (name, unit.id, post.id if post else None)
        if key in self.taken:
            report.of("invitations").unchanged += 1
            return
        self.taken.add(key)
        now = clock.now()
        self.rows.append({
            "code": new_code(), "name": name, "unit_id": unit.id, "post_id": key[2],
            "roles": ",".join(role.value for role in roles), "created_by_id": None,
            "created_at": now, "expires_at": expiry(now, self.ttl_days),
        })  # fmt: skip
        report.of("invitations").created += 1

    async def write(self, session: AsyncSession, clock: Clock, report: ImportReport) -> None:
        ids = await insert_rows(session, Invitation, self.rows, ids=True)
        pairs = list(zip(ids, self.rows, strict=True))
        fields = ("name", "unit_id", "post_id", "roles", "expires_at")
        await audit_created(
            session, clock.now(), "invitation.create", "invitations",
            ((i, {f: _plain(row[f]) for f in fields}) for i, row in pairs),
        )  # fmt: skip
        report.invitations += [Invitation(id=i, **row) for i, row in pairs]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
