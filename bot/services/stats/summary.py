"""Each unit's own figures kept in `unit_figures`, so the overview counts only what changed.

Database triggers (migration 0021) log every unit whose posts, powers, risk points, measures
or reports are written (`unit_figures_dirty`, append-only: writers never wait on each other
for it). A kept row is exact while its unit has no log row and `today` is inside its
`counts.Window` (the days no not-done measure turns overdue). The overview (`read`) takes
the exact rows as they are and counts the other units with the same statements as ever,
restricted to them; `refresh` (a periodic job, one transaction) recounts them and removes
the log rows it took. Pending reviews depend on the hour and are never kept: they are
counted live (only the waiting risk points are read).

Why the log is exact: a write and its log row commit together, and `refresh` removes log
rows and replaces kept rows in one transaction, having taken the log rows before counting
(see `refresh`). Refreshes never overlap (the job's lease; on PostgreSQL also an advisory
lock; on SQLite the one writer).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats import counts
from storage.models.unit_figures import UnitFigures, UnitFiguresDirty

# pg_advisory_xact_lock's key for refreshes (any constant of this program's own).
REFRESH_LOCK = 7_204_511_021


def _stale(today: date) -> Any:
    """Rows whose overdue count does not hold on `today`."""
    return or_(UnitFigures.valid_from > today, UnitFigures.valid_until < today)


async def read(
    session: AsyncSession, unit_ids: frozenset[int] | None, *, today: date
) -> tuple[counts.Values, set[int]]:
    """The kept counts that hold on `today` (per unit, fresh dicts), and the units logged or
    out of their window: those to count live. A unit in neither has no records at all.

    The log is read before the rows: a refresh between the two only makes rows fresher."""
    logged = await counts.plain_rows(session, select(UnitFiguresDirty.unit_id).distinct())
    live = {unit_id for (unit_id,) in logged}
    statement = select(
        UnitFigures.unit_id, UnitFigures.figures, UnitFigures.valid_from, UnitFigures.valid_until
    )
    if unit_ids is not None and len(unit_ids) <= counts.UNITS_IN_QUERY:
        statement = statement.where(UnitFigures.unit_id.in_(sorted(unit_ids)))
    kept: counts.Values = defaultdict(dict)
    loads = json.loads
    for unit_id, figures, first, last in await counts.plain_rows(session, statement):
        if unit_id in live or (unit_ids is not None and unit_id not in unit_ids):
            continue
        if (first is not None and today < first) or (last is not None and today > last):
            live.add(unit_id)
        else:
            kept[unit_id] = loads(figures)
    if unit_ids is not None:
        live &= unit_ids
    return kept, live


async def refresh(session: AsyncSession, *, today: date) -> int:
    """Recount every logged unit and every row out of its window on `today` and keep the
    counts (flushes, never commits). Returns how many units.

    The log rows are taken first, in one DELETE … RETURNING: what it removes was committed
    before it, so the counts after it see those writes; a log row committed later stays.
    Readers see the log rows until this transaction commits, and then the new counts. On
    SQLite the DELETE takes the one write lock first, so nothing is written meanwhile."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # refreshes never overlap
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
    taken = await session.execute(delete(UnitFiguresDirty).returning(UnitFiguresDirty.unit_id))
    todo = set(taken.scalars())
    stale = await counts.plain_rows(session, select(UnitFigures.unit_id).where(_stale(today)))
    todo.update(unit_id for (unit_id,) in stale)
    if not todo:
        return 0
    values: counts.Values = defaultdict(dict)
    windows: counts.Windows = {}
    await counts.count_kept(session, frozenset(todo), values, today=today, windows=windows)
    rows = [
        {
            "unit_id": unit_id,
            "figures": json.dumps(values.get(unit_id, {}), ensure_ascii=False, sort_keys=True),
            "valid_from": windows.get(unit_id, counts.Window()).first,
            "valid_until": windows.get(unit_id, counts.Window()).last,
        }
        for unit_id in sorted(todo)
    ]
    upsert = (pg_insert if postgres else sqlite_insert)(UnitFigures)
    new = upsert.excluded
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[UnitFigures.unit_id],
            set_={
                "figures": new.figures,
                "valid_from": new.valid_from,
                "valid_until": new.valid_until,
            },
        ),
        rows,
    )
    await session.flush()
    return len(todo)
