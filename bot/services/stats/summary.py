"""Each unit's own figures kept in `unit_figures`, so the overview counts only what changed.

Database triggers (migration 0021) log every unit whose posts, powers, risk points, measures
or reports are written (`unit_figures_dirty`, append-only: writers never wait on each other
for it). A kept row is exact while its unit has no log row and `today` is inside its
`counts.Window` (the days no not-done measure turns overdue). The overview (`read`) takes
the exact rows as they are and counts the other units with the same statements as ever,
restricted to them; `refresh` (a periodic job, one transaction) recounts them and removes
the log rows it saw. Pending reviews depend on the hour and are never kept: they are
counted live (only the waiting risk points are read).

Why the log is exact: a write and its log row commit together. `refresh` reads the log
first, then counts: whatever it saw logged is in its counts; a log row committed after it
read stays, and the unit is counted live until the next refresh. Refreshes never overlap
(the job's lease; on PostgreSQL also an advisory lock), and a row is replaced only by a
count that saw as much of the log (`marker`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats import counts
from storage.models.unit_figures import UnitFigures, UnitFiguresDirty

# pg_advisory_xact_lock's key for refreshes (any constant of this program's own).
REFRESH_LOCK = 7_204_511_021
# Log rows removed per statement on PostgreSQL (by id: asyncpg takes ≤32,767 parameters).
DELETE_CHUNK = 10_000


def _stale(today: date) -> Any:
    """Rows whose overdue count does not hold on `today`."""
    return or_(UnitFigures.valid_from > today, UnitFigures.valid_until < today)


async def read(
    session: AsyncSession, unit_ids: frozenset[int] | None, *, today: date
) -> tuple[counts.Values, set[int]]:
    """The kept counts that hold on `today` (per unit, fresh dicts), and the units logged or
    out of their window: those to count live. A unit in neither has no records at all.

    The log is read before the rows: a refresh between the two only makes rows fresher."""
    logged = await counts._rows(session, select(UnitFiguresDirty.unit_id).distinct())
    live = {unit_id for (unit_id,) in logged}
    statement = select(
        UnitFigures.unit_id, UnitFigures.figures, UnitFigures.valid_from, UnitFigures.valid_until
    )
    if unit_ids is not None and len(unit_ids) <= counts.UNITS_IN_QUERY:
        statement = statement.where(UnitFigures.unit_id.in_(sorted(unit_ids)))
    kept: counts.Values = defaultdict(dict)
    loads = json.loads
    for unit_id, figures, first, last in await counts._rows(session, statement):
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
    """Recount every logged unit and every row out of its window on `today`, keep the counts
    and remove the log rows seen (flushes, never commits). Returns how many units."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
    log = await counts._rows(session, select(UnitFiguresDirty.id, UnitFiguresDirty.unit_id))
    markers: dict[int, int] = {}
    for marker, unit_id in log:
        markers[unit_id] = max(marker, markers.get(unit_id, 0))
    stale = await counts._rows(
        session, select(UnitFigures.unit_id, UnitFigures.marker).where(_stale(today))
    )
    for unit_id, marker in stale:
        markers.setdefault(unit_id, marker)
    if not markers:
        return 0
    values: counts.Values = defaultdict(dict)
    windows: counts.Windows = {}
    await counts.count_kept(session, frozenset(markers), values, today=today, windows=windows)
    rows = [
        {
            "unit_id": unit_id,
            "figures": json.dumps(values.get(unit_id, {}), ensure_ascii=False, sort_keys=True),
            "valid_from": windows.get(unit_id, counts.Window()).first,
            "valid_until": windows.get(unit_id, counts.Window()).last,
            "marker": marker,
        }
        for unit_id, marker in sorted(markers.items())
    ]
    insert = pg_insert if postgres else sqlite_insert
    statement = insert(UnitFigures)
    new = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UnitFigures.unit_id],
            set_={
                "figures": new.figures,
                "valid_from": new.valid_from,
                "valid_until": new.valid_until,
                "marker": new.marker,
            },
            where=new.marker >= UnitFigures.marker,
        ),
        rows,
    )
    if postgres:  # ids are not in commit order there: exactly the rows seen
        ids = sorted(marker for marker, _unit in log)
        for start in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[start : start + DELETE_CHUNK]
            await session.execute(delete(UnitFiguresDirty).where(UnitFiguresDirty.id.in_(chunk)))
    elif log:  # one writer at a time: every id up to the highest seen was seen
        top = max(marker for marker, _unit in log)
        await session.execute(delete(UnitFiguresDirty).where(UnitFiguresDirty.id <= top))
    await session.flush()
    return len(markers)


async def kept_count(session: AsyncSession) -> int:
    """How many units have a kept row (for the benchmark and tests)."""
    return int(await session.scalar(select(func.count()).select_from(UnitFigures)) or 0)
