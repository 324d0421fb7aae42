"""What the database holds, read in a unit of work of its own: a count of one model's rows, and
the outbox's messages in the order they were queued. Usage::

    assert await count_rows(sessionmaker, RiskPoint, RiskPoint.state == "draft") == 1
    assert [m.kind for m in await outbox_rows(sessionmaker)] == ["reminder"]
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from storage.db import SessionMaker, unit_of_work
from storage.models.outbox import OutboxMessage


async def count_rows(sessionmaker: SessionMaker, model: Any, *where: Any) -> int:
    """How many rows of `model` there are (those matching `where`, when given)."""
    async with unit_of_work(sessionmaker) as session:
        return int(
            await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def outbox_rows(sessionmaker: SessionMaker, *where: Any) -> list[OutboxMessage]:
    """The outbox's messages (those matching `where`, when given), oldest first."""
    async with unit_of_work(sessionmaker) as session:
        query = select(OutboxMessage).where(*where).order_by(OutboxMessage.id)
        return list(await session.scalars(query))
