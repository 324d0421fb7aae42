"""Keys of confirmed drafts (`IdempotencyKey`): claimed before the record, then pointed at it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.affected import affected
from storage.models.idempotency import IdempotencyKey


async def made_from(session: AsyncSession, person_id: int, key: str, kind: str) -> int | None:
    """The id of the `kind` record made from this draft, if one was."""
    return await session.scalar(
        select(IdempotencyKey.record_id).where(
            IdempotencyKey.person_id == person_id,
            IdempotencyKey.key == key,
            IdempotencyKey.kind == kind,
        )
    )


async def claim(session: AsyncSession, person_id: int, key: str, kind: str, now: datetime) -> bool:
    """Take the key for a new record, in one statement; False when it is taken already (on
    PostgreSQL the insert waits for a transaction holding it: once that one committed,
    `made_from` finds its record; had it rolled back, the key is ours)."""
    # Imported here: loading the PostgreSQL dialect costs a second that SQLite never needs.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]  # the other branch's name
    statement = (
        dialect.insert(IdempotencyKey)
        .values(person_id=person_id, key=key, kind=kind, created_at=now)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def point(session: AsyncSession, person_id: int, key: str, record_id: int) -> None:
    """The claimed key now names the record made from it."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.person_id == person_id, IdempotencyKey.key == key)
        .values(record_id=record_id)
    )


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget keys claimed before `before` (one statement, on the indexed `created_at`)."""
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < before)
    )
    return affected(result)
