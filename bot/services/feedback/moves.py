"""The one write path of a feedback item's status: `move()` checks the table, applies the
change, bumps the version and writes the audit row — in the caller's transaction.

Audit rows of citizens' moves (submitting, rating, appealing) carry no actor: whoever reads
the trail learns what happened to an item, never who sent it. Officials' moves carry the
official; the scheduler's carry none, on the scheduler channel.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.feedback import Action, Actor, Transition, check
from bot.services import audit
from storage.models.feedback import Feedback
from storage.models.org import Person

CITIZEN_CHANNEL = "citizen"
SCHEDULER_CHANNEL = "scheduler"
# What the trail keeps of an item: never the signed name or phone, never a sender.
AUDITED = (
    "status",
    "kind",
    "route_tier",
    "route_unit_id",
    "ladder_step",
    "rating",
    "appealed",
    "duplicate_of_id",
    "disposition",
    "follow_up_on",
)


def snapshot(item: Feedback) -> dict[str, Any]:
    return audit.snapshot(item, *AUDITED) | {"code": item.code}


async def move(
    session: AsyncSession,
    clock: Clock,
    item: Feedback,
    action: Action,
    actors: Collection[Actor],
    *,
    official: Person | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
    changes: Mapping[str, Any] | None = None,
) -> Transition:
    """Take one move on `item` or refuse (`ServiceError`) with nothing changed.

    `official` is the reviewer or commission member acting (None for the sender and the
    scheduler: their rows carry no actor). `changes` are the fields the move sets besides the
    status, which only this function writes.
    """
    if expected_version is not None and expected_version != item.version:
        raise ServiceError("feedback.stale")
    row = check(item.status, action, actors, reason=reason)
    changes = dict(changes or {})
    if "status" in changes or "version" in changes:
        raise ValueError("move() alone sets status and version")
    before = snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    item.status = row.target.value
    item.version += 1
    if Actor.SENDER in actors:
        channel = CITIZEN_CHANNEL
    elif official is None:
        channel = SCHEDULER_CHANNEL
    else:
        channel = "bot"
    audit.record(
        session,
        clock,
        actor=official if Actor.SENDER not in actors else None,
        channel=channel,
        action=f"feedback.{action.value}",
        entity=item,
        before=before,
        after=snapshot(item) | ({"reason": reason} if reason else {}),
    )
    return row


def record_submit(session: AsyncSession, clock: Clock, item: Feedback) -> None:
    """The item's first audit row: what came in, with no actor."""
    audit.record(
        session,
        clock,
        actor=None,
        channel=CITIZEN_CHANNEL,
        action=f"feedback.{Action.SUBMIT.value}",
        entity=item,
        before=None,
        after=snapshot(item) | {"anonymous": item.anonymous},
    )
