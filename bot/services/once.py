"""Idempotent "create" presses: a draft's key makes one record, however often it is confirmed.

A wizard keeps a key in its conversation (`handlers/ui/once.py`); confirming calls `create_once`
with it. The first confirmation claims the key and makes the record in the same transaction;
any later one (the same button pressed again after a crash left the conversation on its last
step, a double tap on two replicas, a replayed update) returns that record unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from storage.repositories import idempotency


class Record(Protocol):
    id: Any


R = TypeVar("R", bound=Record)


async def create_once(
    session: AsyncSession,
    clock: Clock,
    *,
    person_id: int,
    key: str | None,
    model: type[R],
    create: Callable[[], Awaitable[R]],
) -> tuple[R, bool]:
    """The record made from draft `key` by `person_id`: made now by `create` (True), or the
    one made before (False). Without a key, `create` simply runs."""
    if not key:
        return await create(), True
    kind = str(getattr(model, "__tablename__", model.__name__))
    earlier = await _earlier(session, person_id, key, kind, model)
    if earlier is not None:
        return earlier, False
    if not await idempotency.claim(session, person_id, key, kind, clock.now()):
        earlier = await _earlier(session, person_id, key, kind, model)
        if earlier is not None:
            return earlier, False
        raise ServiceError("fallback.stale_button")  # the key names another kind of record
    record = await create()
    await session.flush()
    await idempotency.point(session, person_id, key, int(record.id))
    return record, True


async def _earlier(
    session: AsyncSession, person_id: int, key: str, kind: str, model: type[R]
) -> R | None:
    record_id = await idempotency.made_from(session, person_id, key, kind)
    return None if record_id is None else await session.get(model, record_id)


async def prune_keys(session: AsyncSession, now: datetime, kept: timedelta) -> int:
    """Forget the keys of drafts confirmed longer than `kept` ago (`IDEMPOTENCY_KEYS_KEPT_DAYS`).

    A press of such an old confirm again makes a new record: the retention must outlast any
    crash-and-retry or replay, which come within minutes; conversations left on a confirm step
    for longer are the price of a table that does not grow forever."""
    return await idempotency.prune(session, now - kept)
