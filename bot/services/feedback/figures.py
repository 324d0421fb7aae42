"""Feedback figures for the leaders' digests and the publicity close summary.

`feedback_figures()` counts the items created in a period (optionally in some units, or one
round), by kind and state, how many were responded to (answered, re-graded or merged) within
`FEEDBACK_ANSWER_DAYS`, the median time to respond, and the ratings. `figures_by_unit()` gives
the same per unit. The arithmetic is `bot.domain.feedback_figures.summarise`, tested on its own; no
sender is read here.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TypedDict, Unpack

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback import Kind, Rating, State
from bot.domain.feedback_figures import Figures, Row, summarise
from storage.models.feedback import Feedback


class Window(TypedDict, total=False):
    """Which items count: created in [since, until), in `unit_ids` (None: all units), or in
    one publicity round; a bound left out (or None) does not narrow."""

    since: datetime | None
    until: datetime | None
    unit_ids: Collection[int] | None
    round_id: int | None


async def _rows(session: AsyncSession, window: Window) -> list[Row]:
    since, until = window.get("since"), window.get("until")
    unit_ids, round_id = window.get("unit_ids"), window.get("round_id")
    query = select(
        Feedback.unit_id,
        Feedback.kind,
        Feedback.status,
        Feedback.created_at,
        Feedback.responded_at,
        Feedback.rating,
    )
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    if until is not None:
        query = query.where(Feedback.created_at < until)
    if unit_ids is not None:
        query = query.where(Feedback.unit_id.in_(list(unit_ids)))
    if round_id is not None:
        query = query.where(Feedback.round_id == round_id)
    return [
        Row(
            unit, Kind(kind), State(status), created, responded, Rating(rating) if rating else None
        )
        for unit, kind, status, created, responded, rating in await session.execute(query)
    ]


async def feedback_figures(
    session: AsyncSession, *, answer_period: timedelta, **window: Unpack[Window]
) -> Figures:
    """Figures of the items in the window (see `Window`). `answer_period` is
    `timedelta(days=settings.feedback_answer_days)`."""
    rows = await _rows(session, window)
    return summarise(rows, answer_period)


async def figures_by_unit(
    session: AsyncSession, *, answer_period: timedelta, **window: Unpack[Window]
) -> dict[int, Figures]:
    """The same figures per unit (the unit of each risk's post), for the units that had any."""
    rows = await _rows(session, window)
    per_unit: dict[int, list[Row]] = {}
    for row in rows:
        per_unit.setdefault(row.unit_id, []).append(row)
    return {unit: summarise(items, answer_period) for unit, items in sorted(per_unit.items())}
