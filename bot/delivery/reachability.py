"""Who can't be reached: people whose Telegram answered 403 (blocked the bot, deactivated)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.affected import affected
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus


async def mark_unreachable(
    session: AsyncSession, chat_id: int, reason: str, at: datetime | None = None
) -> int:
    """Flag the person with this chat (since `at`, default now) and cancel every unsent row to
    the chat. Returns how many rows were cancelled. Part of the caller's transaction.
    """
    await session.execute(
        update(Person)
        .where(Person.telegram_id == chat_id)
        .values(
            unreachable=True,
            # The first refusal dates it; later ones only refresh the reason.
            unreachable_since=func.coalesce(Person.unreachable_since, at or datetime.now(UTC)),
            unreachable_reason=reason,
        )
    )
    cancelled = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
        .values(status=OutboxStatus.CANCELLED, lease_until=None, last_error=reason)
    )
    return affected(cancelled)


async def mark_reachable(session: AsyncSession, telegram_id: int) -> bool:
    """Clear the flag when the person writes to the bot again; True if it was set."""
    result = await session.execute(
        update(Person)
        .where(Person.telegram_id == telegram_id, Person.unreachable.is_(True))
        .values(unreachable=False, unreachable_since=None, unreachable_reason=None)
    )
    return bool(affected(result))


async def list_unreachable(session: AsyncSession) -> Sequence[Person]:
    """People the bot can no longer write to, by name (for the commission's admins)."""
    result = await session.scalars(
        select(Person).where(Person.unreachable.is_(True)).order_by(Person.name, Person.id)
    )
    return result.all()
