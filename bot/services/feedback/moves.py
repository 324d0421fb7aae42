"""The one write path of a feedback item's status: `move()` checks the table, applies the
change, bumps the version and writes the audit row — in the caller's transaction.

Audit rows of citizens' moves (submitting, rating, appealing) carry no actor: whoever reads
the trail learns what happened to an item, never who sent it. Officials' moves carry the
official; the scheduler's carry none, on the scheduler channel.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.feedback import AUDIT_ACTIONS, Action, Actor, Transition, check
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


class Changes(TypedDict, total=False):
    """The fields a move may set besides the status and version (which only `move()` sets)."""

    answer: str | None
    answered_by_id: int
    answered_at: datetime
    responded_at: datetime | None
    duplicate_of_id: int
    hidden_reason: str
    rating: str | None
    rated_at: datetime
    appealed: bool
    first_answer: str | None
    route_tier: str
    route_unit_id: int | None
    waiting_since: datetime
    due_at: datetime
    ladder_step: int
    disposition: str
    disposition_note: str | None
    follow_up_on: date | None
    disposed_by_id: int
    disposed_at: datetime


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
    changes: Changes | None = None,
) -> Transition:
    """Take one move on `item` or refuse (`ServiceError`) with nothing changed.

    `official` is the reviewer or commission member acting (None for the sender and the
    scheduler: their rows carry no actor). `changes` are the fields the move sets besides the
    status, which only this function writes.
    """
    if expected_version is not None and expected_version != item.version:
        raise ServiceError("feedback.stale")
    row = check(item.status, action, actors, reason=reason)
    changes = changes or Changes()
    unknown = set(changes) - Changes.__optional_keys__
    if unknown:  # "status" and "version" among them: move() alone sets those
        raise ValueError(f"move() cannot set {sorted(unknown)}")
    before = snapshot(item)
    _apply(item, changes)
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
        action=AUDIT_ACTIONS[action],
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
        action=AUDIT_ACTIONS[Action.SUBMIT],
        entity=item,
        before=None,
        after=snapshot(item) | {"anonymous": item.anonymous},
    )


def _apply(item: Feedback, changes: Changes) -> None:
    """Each field written out, so that no computed name can reach the status."""
    c = changes
    if "answer" in c:
        item.answer = c["answer"]
    if "answered_by_id" in c:
        item.answered_by_id = c["answered_by_id"]
    if "answered_at" in c:
        item.answered_at = c["answered_at"]
    if "responded_at" in c:
        item.responded_at = c["responded_at"]
    if "duplicate_of_id" in c:
        item.duplicate_of_id = c["duplicate_of_id"]
    if "hidden_reason" in c:
        item.hidden_reason = c["hidden_reason"]
    if "rating" in c:
        item.rating = c["rating"]
    if "rated_at" in c:
        item.rated_at = c["rated_at"]
    if "appealed" in c:
        item.appealed = c["appealed"]
    if "first_answer" in c:
        item.first_answer = c["first_answer"]
    if "route_tier" in c:
        item.route_tier = c["route_tier"]
    if "route_unit_id" in c:
        item.route_unit_id = c["route_unit_id"]
    if "waiting_since" in c:
        item.waiting_since = c["waiting_since"]
    if "due_at" in c:
        item.due_at = c["due_at"]
    if "ladder_step" in c:
        item.ladder_step = c["ladder_step"]
    if "disposition" in c:
        item.disposition = c["disposition"]
    if "disposition_note" in c:
        item.disposition_note = c["disposition_note"]
    if "follow_up_on" in c:
        item.follow_up_on = c["follow_up_on"]
    if "disposed_by_id" in c:
        item.disposed_by_id = c["disposed_by_id"]
    if "disposed_at" in c:
        item.disposed_at = c["disposed_at"]
