"""The register in: powers (and unit-specific categories) from files, every row checked
first; nothing is written when any row is bad. What the risk import shares lives here too:
the organisation looked up once (`Org`), the report, bulk inserts with their audit rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.register_rules import (
    CATEGORY_MAX,
    CONTENT_MAX,
    LEGAL_BASIS_MAX,
    NAME_MAX,
    SUBJECT_MAX,
)
from bot.services import import_checks as checks
from bot.services.import_checks import Problem, Problems, TooManyProblems, check_cells
from bot.services.powers import categories_for, set_categories
from bot.services.register_files.columns import (
    CATEGORY_COLUMNS,
    POWER_COLUMNS,
    POWER_STATUS_NAMES,
    SCOPE_ALIASES,
    _reverse,
)
from bot.services.tabular import Row, iter_table
from storage.models.org import Post, Unit
from storage.models.register import Power, PowerStatus


@dataclass
class FileReport:
    created: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Rows imported as the rule says rather than as the file said (a level disagreeing with
    # the factors, the focus floor): imported, and told.
    notes: list[Problem] = field(default_factory=list)


def split_path(text: str) -> str:
    return "/".join(p.strip() for p in text.replace("／", "/").split("/") if p.strip())


@dataclass
class Org:
    """Units by path and posts by (unit, name), read once for the whole file."""

    units: dict[str, Unit]
    posts: dict[tuple[int, str], Post]

    @classmethod
    async def load(cls, session: AsyncSession) -> Org:
        units = {u.path: u for u in await session.scalars(select(Unit))}
        posts = {(p.unit_id, p.name): p for p in await session.scalars(select(Post))}
        return cls(units, posts)

    def unit_post(
        self, row: Row, problems: Problems, *, post_required: bool
    ) -> tuple[Unit | None, Post | None]:
        unit = self.units.get(split_path(row.values.get("unit", "")))
        if unit is None:
            problems.flag(row, "import.unknown_unit", value=row.values.get("unit", ""))
            return None, None
        name = row.values.get("post", "")
        if not name:
            if post_required:
                problems.flag(row, "import.post_missing")
            return unit, None
        post = self.posts.get((unit.id, name))
        if post is None:
            problems.flag(row, "import.unknown_post", value=name)
        return unit, post


def check_rows(rows: Iterable[Row], check: Callable[[Row], None], problems: Problems) -> None:
    """`check` every row; stops at the `ERRORS_MAX`-th problem and rejects the file then, or
    after the last row when there was any."""
    number = None
    try:
        for row in rows:
            number = row.number
            check(row)
    except TooManyProblems:
        problems.reject(stopped_at=number)
    problems.reject()


# --- powers ---------------------------------------------------------------------------------

# The bot's limits on a power's texts (`bot.domain.register_rules`).
POWER_LIMITS = {"name": NAME_MAX, "content": CONTENT_MAX, "subject": SUBJECT_MAX,
                "legal_basis": LEGAL_BASIS_MAX}  # fmt: skip


async def import_powers(session: AsyncSession, clock: Clock, path: Path) -> FileReport:
    """Powers from a file; a power already there (same unit, post and name) is left alone, and
    one named twice in the file is imported once."""
    org = await Org.load(session)
    problems = Problems()
    categories: dict[tuple[int, str], list[str]] = {}
    existing = {
        (p.unit_id, p.post_id, p.name)
        for p in await session.execute(
            select(Power.unit_id, Power.post_id, Power.name).where(
                Power.status != PowerStatus.WITHDRAWN.value
            )
        )
    }
    report = FileReport()
    now = clock.now()
    new: list[dict[str, Any]] = []
    status_of = _reverse(POWER_STATUS_NAMES)

    async def check(row: Row) -> None:
        before = len(problems)
        unit, post = org.unit_post(row, problems, post_required=False)
        v = row.values
        check_cells(row, problems, POWER_LIMITS)
        if not v.get("name"):
            problems.flag(row, "import.power_name_missing")
        scope = SCOPE_ALIASES.get(v.get("scope", "").strip().lower())
        if scope is None:
            problems.flag(row, "import.bad_scope", value=v.get("scope", ""))
        status = status_of.get(v.get("status", "").strip() or "submitted")
        if status is None:
            problems.flag(row, "import.bad_status", value=v["status"])
        if unit is None or scope is None:
            return
        if (unit.id, scope) not in categories:
            categories[(unit.id, scope)] = await categories_for(session, unit.id, scope)
        if v.get("category", "") not in categories[(unit.id, scope)]:
            problems.flag(row, "import.bad_category", value=v.get("category", ""))
        if len(problems) > before:
            return
        key = (unit.id, post.id if post else None, v["name"])
        if key in existing:
            report.unchanged += 1
            return
        existing.add(key)
        new.append(
            {
                "unit_id": unit.id,
                "post_id": key[1],
                "name": v["name"],
                "content": v.get("content", ""),
                "subject": v.get("subject", ""),
                "legal_basis": v.get("legal_basis", ""),
                "category": v["category"],
                "scope": scope,
                "status": status,
                "created_at": now,
                "updated_at": now,
            }
        )

    number = None
    try:
        for row in iter_table(path, POWER_COLUMNS):
            number = row.number
            await check(row)
    except TooManyProblems:
        problems.reject(stopped_at=number)
    problems.reject()
    ids = await checks.insert_rows(session, Power, new, ids=True)
    fields = ("unit_id", "post_id", "name", "category", "scope", "status")
    await checks.audit_created(
        session,
        now,
        "power.import",
        "powers",
        ((i, {f: row[f] for f in fields}) for i, row in zip(ids, new, strict=True)),
    )
    report.created = len(ids)
    return report


# --- categories -----------------------------------------------------------------------------


async def import_categories(session: AsyncSession, clock: Clock, path: Path) -> FileReport:
    """A unit's own power categories (单位, 范围, 类别; one row per category): each unit and
    scope named gets exactly the file's list, in the file's order (audited as in the bot)."""
    org = await Org.load(session)
    problems = Problems()
    lists: dict[tuple[int, str], list[str]] = {}

    def check(row: Row) -> None:
        unit, _post = org.unit_post(row, problems, post_required=False)
        check_cells(row, problems, {"category": CATEGORY_MAX})
        scope = SCOPE_ALIASES.get(row.values.get("scope", "").strip().lower())
        if scope is None:
            problems.flag(row, "import.bad_scope", value=row.values.get("scope", ""))
        name = row.values.get("category", "")
        if not name:
            problems.flag(row, "import.category_missing")
        if unit is not None and scope is not None and name:
            names = lists.setdefault((unit.id, scope), [])
            if name not in names:
                names.append(name)

    check_rows(iter_table(path, CATEGORY_COLUMNS), check, problems)
    report = FileReport()
    for (unit_id, scope), names in lists.items():
        if await categories_for(session, unit_id, scope) == names:
            report.unchanged += 1
            continue
        await set_categories(
            session, clock, actor=None, unit_id=unit_id, scope=scope, names=names, channel="cli"
        )
        report.created += 1
    return report
