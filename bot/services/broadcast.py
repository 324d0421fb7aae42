"""Broadcasts: an admin's message to everyone holding a role (optionally within a unit).

A confirmed broadcast is one outbox row per recipient, all with the same `batch_id`, enqueued in
one transaction (all or none). Its progress is `batch_progress`; cancelling it cancels the rows
not yet sent. Every entry point re-checks that the actor is an admin.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import (
    PRIORITY_BULK,
    BatchProgress,
    Outgoing,
    batch_progress,
    enqueue_many,
)
from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.roles import Role
from bot.domain.text_length import MESSAGE_LIMIT, is_blank, utf16_len
from bot.services import audit
from bot.services.broadcast_progress import track
from bot.settings import Settings
from storage.affected import affected
from storage.models.broadcast import BroadcastProgress
from storage.models.org import Person, RoleAssignment, Unit
from storage.models.outbox import OutboxMessage, OutboxStatus

# Telegram's limit: 4096 UTF-16 units after entity parsing, i.e. of the text as typed.
TEXT_MAX = MESSAGE_LIMIT
KIND = "broadcast"


class Audience(StrEnum):
    STAFF = "staff"
    REVIEWERS = "reviewers"
    LEADERS = "leaders"
    MEMBERS = "members"  # everyone holding any role


AUDIENCE_ROLES: dict[Audience, tuple[Role, ...]] = {
    Audience.STAFF: (Role.STAFF,),
    Audience.REVIEWERS: (Role.REVIEWER,),
    Audience.LEADERS: (Role.LEADER,),
    Audience.MEMBERS: tuple(Role),
}


def _require_admin(actor: Person) -> None:
    if Role.ADMIN not in actor.roles:
        raise NotAllowed()


def check_text(text: str | None) -> str:
    """The message as it will be sent (HTML-escaped), or a refusal with a hint."""
    body = "" if is_blank(text) else (text or "").strip()
    if not body:
        raise ServiceError("broadcast.need_text")
    # Counted as Telegram counts the sent text: `&amp;` parses back to one unit, an emoji is two.
    if utf16_len(body) > TEXT_MAX:
        raise ServiceError("broadcast.too_long", limit=TEXT_MAX, length=utf16_len(body))
    return html.escape(body, quote=False)


async def recipients(
    session: AsyncSession, audience: Audience, unit_id: int | None
) -> Sequence[Person]:
    """Active people with a Telegram account holding one of the audience's roles; with a unit,
    those whose unit is it or lies under it."""
    roles = [role.value for role in AUDIENCE_ROLES[audience]]
    query = (
        select(Person)
        .where(
            Person.active.is_(True),
            Person.telegram_id.is_not(None),
            exists().where(RoleAssignment.person_id == Person.id, RoleAssignment.role.in_(roles)),
        )
        .order_by(Person.id)
    )
    if unit_id is not None:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise ServiceError("fallback.stale_button")
        query = query.join(Unit, Unit.id == Person.unit_id).where(
            or_(Unit.id == unit.id, Unit.path.startswith(unit.path + "/", autoescape=True))
        )
    return (await session.scalars(query)).all()


async def start_broadcast(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    *,
    actor: Person,
    audience: Audience,
    unit_id: int | None,
    text: str,
    batch_id: str | None = None,
    progress_at: tuple[int, int] | None = None,
    locale: str | None = None,
) -> tuple[str, int]:
    """Enqueue the broadcast and commit; returns its batch id and the number of recipients.

    Rows are keyed by batch and person, so a second confirmation of the same `batch_id`
    (a double press) adds nothing. `progress_at` (chat id, message id) is the admin's message
    that `ProgressUpdater` keeps editing, in `locale`, until the final report."""
    _require_admin(actor)
    body = check_text(text)
    people = await recipients(session, audience, unit_id)
    if not people:
        raise ServiceError("broadcast.nobody")
    batch_id = batch_id or uuid.uuid4().hex
    if await session.get(BroadcastProgress, batch_id) is not None:
        return batch_id, len(people)  # confirmed twice: the first confirmation did it all
    if progress_at is not None:
        track(
            session, batch_id=batch_id, chat_id=progress_at[0], message_id=progress_at[1],
            locale=locale or settings.default_locale,
        )  # fmt: skip
    # One multi-row INSERT per chunk: a broadcast to thousands commits in well under a second.
    await enqueue_many(
        session,
        [
            Outgoing(
                chat_id=person.telegram_id,  # type: ignore[arg-type]  # filtered above
                person_id=person.id,
                text=body,
                dedup_key=f"broadcast:{batch_id}:{person.id}",
            )
            for person in people
        ],
        kind=KIND,
        priority=PRIORITY_BULK,
        batch_id=batch_id,
        clock=clock,
        settings=settings,
    )
    audit.record(
        session,
        clock,
        actor=actor,
        action="broadcast.start",
        entity=actor,
        after={"batch_id": batch_id, "audience": audience.value, "unit_id": unit_id,
               "recipients": len(people)},
    )  # fmt: skip
    return batch_id, len(people)


async def progress(session: AsyncSession, actor: Person, batch_id: str) -> BatchProgress:
    _require_admin(actor)
    counts = await batch_progress(session, batch_id)
    if counts.total == 0:
        raise ServiceError("fallback.stale_button")
    return counts


async def cancel_broadcast(
    session: AsyncSession, clock: Clock, *, actor: Person, batch_id: str
) -> int:
    """Cancel the rows of the batch the sender has not claimed yet; returns how many."""
    _require_admin(actor)
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.batch_id == batch_id,
            OutboxMessage.status == OutboxStatus.PENDING.value,
        )
        .values(status=OutboxStatus.CANCELLED.value, last_error="broadcast cancelled")
    )
    cancelled = affected(result)
    audit.record(
        session, clock, actor=actor, action="broadcast.cancel", entity=actor,
        after={"batch_id": batch_id, "cancelled": cancelled},
    )  # fmt: skip
    return cancelled
