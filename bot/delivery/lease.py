"""The outbox's leases: a sender claims due rows, and records an outcome only while it holds
the row's lease. Statements in the caller's session (the sender opens one per claim or
outcome); crash safety and outcomes are described in `bot.app.sender`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import UNREACHABLE_REASON
from storage.affected import affected
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus

_CLAIMED = (
    OutboxMessage.id,
    OutboxMessage.chat_id,
    OutboxMessage.payload,
    OutboxMessage.urgent,
    OutboxMessage.attempts,
    OutboxMessage.throttled,
    OutboxMessage.priority,
    OutboxMessage.next_attempt_at,
)


@dataclass(frozen=True)
class Claimed:
    """A row this sender holds: its lease value proves ownership when writing the outcome."""

    id: int
    chat_id: int
    payload: dict[str, Any]
    urgent: bool
    attempts: int
    throttled: int
    lease_until: datetime


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    urgent_only: bool,
    skip_chats: Collection[int] = (),
    dead_chats: Collection[int] = (),
) -> list[Claimed]:
    """Lease up to `limit` due rows, leaving out chats in `skip_chats`: rows whose lease
    expired (their sender died) first, then pending and due ones, best priority first. Rows
    to people marked unreachable, or to `dead_chats` (answered 403 to this sender), are
    cancelled instead of returned.
    """
    # Two index walks, not one OR: "pending and due" and "leased, lease expired" each follow
    # ix_outbox_due in order and stop at the limit, where the OR made SQLite read and sort
    # every waiting row (4.4 ms a claim at 10,000 waiting, on the event loop).
    branches = (
        (OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
        (OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
    )
    found: list[Any] = []
    for branch in branches:
        if len(found) >= limit:
            break
        conditions = list(branch)
        if urgent_only:
            conditions.append(OutboxMessage.urgent.is_(True))
        if skip_chats:
            conditions.append(OutboxMessage.chat_id.not_in(list(skip_chats)))
        picked = (
            select(OutboxMessage.id)
            .where(*conditions)
            .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit - len(found))
            .with_for_update(skip_locked=True)
        )
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(picked.scalar_subquery()))
            .values(status=OutboxStatus.SENDING, lease_until=lease_until)
            .returning(*_CLAIMED)
        )
        found.extend(result.all())
    rows = sorted(found, key=lambda r: (r.priority, r.next_attempt_at, r.id))
    claimed = [
        Claimed(r.id, r.chat_id, r.payload, r.urgent, r.attempts, r.throttled, lease_until)
        for r in rows
    ]
    if not claimed:
        return []
    # Someone marked unreachable after these were enqueued: cancel, don't send.
    blocked = set(
        await session.scalars(
            select(Person.telegram_id).where(
                Person.telegram_id.in_({c.chat_id for c in claimed}),
                Person.unreachable.is_(True),
            )
        )
    )
    blocked |= set(dead_chats) & {c.chat_id for c in claimed}
    if blocked:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([c.id for c in claimed if c.chat_id in blocked]))
            .values(
                status=OutboxStatus.CANCELLED,
                lease_until=None,
                last_error=UNREACHABLE_REASON,
            )
        )
    return [c for c in claimed if c.chat_id not in blocked]


_outbox = cast(Table, OutboxMessage.__table__)
# The row, if this sender's lease on it still holds. The SET clause is made of the keys a call
# passes (Core, not the ORM's bulk UPDATE: a broadcast records one outcome per message).
_OUTCOME = update(_outbox).where(
    _outbox.c.id == bindparam("row_id"),
    _outbox.c.status == OutboxStatus.SENDING,
    _outbox.c.lease_until == bindparam("leased_until", type_=_outbox.c.lease_until.type),
)


async def record_outcome(session: AsyncSession, row: Claimed, **values: Any) -> bool:
    """Write `values` to the row if its lease is still ours; False if another sender took it.
    Any status but `sending` also ends the lease."""
    if values.get("status") != OutboxStatus.SENDING:
        values.setdefault("lease_until", None)
    connection = await session.connection()
    result = await connection.execute(
        _OUTCOME, {"row_id": row.id, "leased_until": row.lease_until, **values}
    )
    return bool(affected(result))
