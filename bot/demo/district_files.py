"""The four files a district hands over (units, people, powers, the register), written from
a database: `generate` a seed-scale district first, then `write_files`. What the import tests
and `make bench-imports` feed the importers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.seed_figures import FOCUS_PROGRAMMES
from bot.domain.clock import Clock
from bot.services.org_import import PEOPLE_HEADER, UNIT_HEADER
from bot.services.register_files import export_powers, export_register
from bot.services.rules_register import set_focus_programmes
from bot.services.tabular import write_table
from storage.models.org import Person, Post, RoleAssignment, Unit


@dataclass(frozen=True)
class DistrictFiles:
    units: Path
    people: Path
    powers: Path
    risks: Path

    def in_order(self) -> list[tuple[str, Path]]:
        """(import kind, file) in the order they must be imported."""
        return [("units", self.units), ("people", self.people), ("powers", self.powers),
                ("risks", self.risks)]  # fmt: skip


def _files(folder: Path, suffix: str) -> DistrictFiles:
    folder.mkdir(parents=True, exist_ok=True)
    return DistrictFiles(*(folder / f"{name}{suffix}" for name in
                           ("units", "people", "powers", "register")))  # fmt: skip


async def configure(session: AsyncSession, clock: Clock) -> None:
    """What the district configures before its files (in the bot): the seed's twelve focus
    programmes, which its risk points name."""
    await set_focus_programmes(session, clock, actor=None, names=FOCUS_PROGRAMMES, channel="cli")


def _flag(value: bool) -> str:
    return "是" if value else "否"


async def write_files(session: AsyncSession, folder: Path, suffix: str = ".csv") -> DistrictFiles:
    """The organisation, people, powers and register in `folder` (CSV or XLSX)."""
    files = _files(folder, suffix)
    units = list(await session.scalars(select(Unit).order_by(Unit.path)))
    posts: dict[int, list[Post]] = {}
    for post in await session.scalars(select(Post).order_by(Post.id)):
        posts.setdefault(post.unit_id, []).append(post)
    rows: list[list[object]] = []
    for unit in units:
        head = [unit.path, unit.kind, _flag(unit.is_pilot)]
        rows += [[*head, p.name, _flag(p.is_leadership)] for p in posts.get(unit.id, [])] or [
            [*head, "", ""]
        ]
    write_table(files.units, UNIT_HEADER, rows)
    by_id = {unit.id: unit.path for unit in units}
    post_names = {p.id: p.name for ps in posts.values() for p in ps}
    roles: dict[int, list[str]] = {}
    for person_id, role in await session.execute(
        select(RoleAssignment.person_id, RoleAssignment.role).order_by(RoleAssignment.id)
    ):
        roles.setdefault(person_id, []).append(role)
    people = [
        [p.name, by_id.get(p.unit_id or 0, ""), post_names.get(p.post_id or 0, ""),
         ",".join(roles.get(p.id, [])), "" if p.telegram_id is None else str(p.telegram_id)]
        for p in await session.scalars(select(Person).order_by(Person.id))
    ]  # fmt: skip
    write_table(files.people, PEOPLE_HEADER, people)
    await export_powers(session, files.powers)
    await export_register(session, files.risks)
    return files
