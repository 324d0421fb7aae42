"""Writes the audit trail: one row for every change, in the same transaction as the change."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from storage.models.audit import AuditLog
from storage.models.org import Person

T = TypeVar("T")


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    """A JSON-safe picture of `obj`'s columns (or just `fields`), for before/after."""
    names = fields or tuple(attr.key for attr in inspect(obj).mapper.column_attrs)
    return {name: _json_safe(getattr(obj, name)) for name in names}


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person | None,
    action: str,
    entity: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    channel: str = "bot",
) -> AuditLog:
    """Add an audit row for `entity` (flushed with the change it describes)."""
    row = AuditLog(
        at=clock.now(),
        actor_id=actor.id if actor else None,
        channel=channel,
        action=action,
        entity_type=type(entity).__tablename__,
        entity_id=getattr(entity, "id", None),
        before=before,
        after=after,
    )
    session.add(row)
    return row


async def record_new(
    session: AsyncSession,
    clock: Clock,
    entity: T,
    *,
    actor: Person | None,
    action: str,
    fields: tuple[str, ...],
    extra: dict[str, Any] | None = None,
    channel: str = "bot",
) -> T:
    """Add a new record, flush it (it gets its id), audit its creation (`fields` as they are,
    and `extra`, e.g. its measures, in the after picture) and return it."""
    session.add(entity)
    await session.flush()
    after = snapshot(entity, *fields) | (extra or {})
    record(session, clock, actor=actor, action=action, entity=entity, after=after, channel=channel)
    return entity
