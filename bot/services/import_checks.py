"""What every import shares: a problem per bad row, at most `ERRORS_MAX` of them, and the
checks every cell gets (its limit, no control characters).

A file with bad rows imports nothing. Checking stops at the `ERRORS_MAX`-th problem (a file of
100,000 bad rows would otherwise print 300,000 lines): the report says where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.tabular import Row
from storage.models.audit import AuditLog

ERRORS_MAX = 50
BATCH = 1000  # rows per INSERT statement


@dataclass(frozen=True)
class Problem:
    row: int
    key: str  # catalog key of the reason
    values: dict[str, Any] = field(default_factory=dict)


class ImportRejected(Exception):
    """The file has bad rows; nothing was imported. `stopped_at`: the row checking stopped
    at after `ERRORS_MAX` problems (None: every row was checked)."""

    def __init__(self, problems: list[Problem], stopped_at: int | None = None) -> None:
        super().__init__(f"{len(problems)} bad rows")
        self.problems = problems
        self.stopped_at = stopped_at


class TooManyProblems(Exception):
    """Raised by `Problems.append` at the limit; the importer turns it into `ImportRejected`."""


class Problems(list[Problem]):
    """The problems found so far; the `ERRORS_MAX`-th stops the checking."""

    def append(self, problem: Problem) -> None:
        super().append(problem)
        if len(self) >= ERRORS_MAX:
            raise TooManyProblems()

    def flag(self, row: Row | int, key: str, **values: Any) -> None:
        self.append(Problem(row if isinstance(row, int) else row.number, key, values))

    def reject(self, stopped_at: int | None = None) -> None:
        """Raise `ImportRejected` when there is any problem."""
        if self:
            raise ImportRejected(list(self), stopped_at)


def check_cells(row: Row, problems: Problems, limits: dict[str, int]) -> None:
    """Control characters anywhere, and each limited column within its limit."""
    for name in row.control:
        problems.flag(row, "import.control_character", column=name)
    for name, limit in limits.items():
        if len(row.values.get(name, "")) > limit:
            problems.flag(row, "import.too_long", limit=limit)


# --- bulk writes ------------------------------------------------------------------------


async def insert_rows(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], *, ids: bool = False
) -> list[int]:
    """Rows in with plain executemany INSERTs; with `ids`, the new ids in the rows' order.

    The ids are taken first (RETURNING in the rows' order would cost a statement per row):
    PostgreSQL hands them out from the table's sequence; on SQLite the first row goes in alone,
    which takes the database's write lock until the commit, so the next ids are ours."""
    if not rows:
        return []
    table = model.__table__
    if not ids:
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(table), list(rows[start : start + BATCH]))
        return []
    if session.get_bind().dialect.name == "postgresql":
        taken = list(
            await session.scalars(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                     "FROM generate_series(1, :count)"),
                {"table": table.name, "count": len(rows)},
            )
        )  # fmt: skip
    else:
        first = await session.scalar(insert(table).returning(table.c.id), dict(rows[0]))
        highest = await session.scalar(select(func.max(table.c.id)))
        start = (highest or 0) + 1
        taken = [int(first or 0), *range(start, start + len(rows) - 1)]
        rows = rows[1:]
    new = taken if len(rows) == len(taken) else taken[1:]
    await insert_rows(session, model, [{**r, "id": i} for r, i in zip(rows, new, strict=True)])
    return [int(i) for i in taken]


async def audit_created(
    session: AsyncSession,
    now: datetime,
    action: str,
    entity_type: str,
    pictures: Iterable[tuple[int, dict[str, Any]]],
) -> None:
    """One audit row per created record (its id, its after picture), channel cli."""
    rows = [
        {
            "at": now,
            "actor_id": None,
            "channel": "cli",
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": None,
            "after": after,
        }
        for entity_id, after in pictures
    ]
    await insert_rows(session, AuditLog, rows)
