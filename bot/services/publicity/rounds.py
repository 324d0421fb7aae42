"""Publicity rounds' use cases: create (now or on a date), open, close, and the scheduler's
scans. `move()` is the round's one write path (the table is `bot.domain.publicity`).

Opening a round, in one transaction: the round moves to open; each included risk gets an
item with its public code; approved risks move through the risk workflow's `publicise`
transition (scheduler actor, audited); the channel posts and the subscribers' notices are
queued. Closing: the round moves to closed, the channel posts are edited, the summaries are
queued. Services flush, never commit: the update middleware or the job owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.publicity import AUDIT_ACTIONS, RoundAction, RoundState, check, new_code
from bot.domain.risk_workflow import Action, RiskState
from bot.domain.roles import Role
from bot.services import audit, review
from bot.services.publicity import channel, notices
from bot.services.publicity.config import PublicityConfig
from bot.services.publicity.scope import Candidate, Preview, candidates, count_by_unit
from bot.services.publicity.subscriptions import subscribers_for
from storage.models.org import Person, Post, Unit
from storage.models.publicity import PublicityItem, PublicityRound
from storage.models.register import RiskPoint
from storage.models.review import RiskReview

UNITS_MAX = 200
PRELOAD_CHUNK = 500
# A round with up to this many risks opens within the confirming update; a larger one is
# opened by the scheduler, `OPEN_CHUNK` risks per transaction (no long write lock).
INLINE_OPEN_MAX = 300
OPEN_CHUNK = 200
SNAPSHOT = ("status", "all_units", "unit_ids", "include_active", "starts_at", "ends_at")


@dataclass(frozen=True)
class Draft:
    """What the wizard gathered: scope, which risks, when."""

    all_units: bool
    unit_ids: tuple[int, ...]
    include_active: bool
    starts_at: datetime | None  # None: now


def require_commission(person: Person | None) -> Person:
    if person is None or not person.active or not person.has_role(Role.ADMIN):
        raise NotAllowed()
    return person


async def move(
    session: AsyncSession,
    clock: Clock,
    rnd: PublicityRound,
    action: RoundAction,
    *,
    actor: Person | None,
) -> PublicityRound:
    """The one place a round's status changes: check the table, apply, audit."""
    target = check(RoundState(rnd.status), action)
    before = audit.snapshot(rnd, *SNAPSHOT)
    now = clock.now()
    rnd.status = target.value
    if action is RoundAction.OPEN:
        rnd.opened_at = now
    else:
        rnd.closed_at = now
    audit.record(
        session,
        clock,
        actor=actor,
        channel="bot" if actor else review.SCHEDULER_CHANNEL,
        action=AUDIT_ACTIONS[action],
        entity=rnd,
        before=before,
        after=audit.snapshot(rnd, *SNAPSHOT),
    )
    await session.flush()
    return rnd


async def preview(session: AsyncSession, actor: Person | None, draft: Draft) -> Preview:
    """Risks per unit and level if the round opened now, and how many subscribers hear of it."""
    require_commission(actor)
    found = await candidates(
        session,
        all_units=draft.all_units,
        unit_ids=draft.unit_ids,
        include_active=draft.include_active,
    )
    units = await count_by_unit(session, found)
    scope = None if draft.all_units else [u.unit_id for u in units]
    readers = await subscribers_for(session, scope) if found else []
    return Preview(units, len(readers))


async def create_round(
    session: AsyncSession,
    clock: Clock,
    config: PublicityConfig,
    *,
    actor: Person | None,
    draft: Draft,
) -> PublicityRound:
    """A new round, opened at once when it starts now (or earlier), else scheduled."""
    require_commission(actor)
    now = clock.now()
    starts = draft.starts_at or now
    if starts < now:
        raise ServiceError("publicity.date_past")
    if not draft.all_units and not draft.unit_ids:
        raise ServiceError("publicity.no_units")
    if len(draft.unit_ids) > UNITS_MAX:
        raise ServiceError("publicity.no_units")
    rnd = PublicityRound(
        status=RoundState.SCHEDULED.value,
        all_units=draft.all_units,
        unit_ids=[] if draft.all_units else sorted(set(draft.unit_ids)),
        include_active=draft.include_active,
        starts_at=starts,
        ends_at=starts + config.length,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    await audit.record_new(
        session, clock, rnd, actor=actor, action="publicity.create", fields=SNAPSHOT
    )
    if starts <= now:
        waiting = await candidates(
            session,
            all_units=rnd.all_units,
            unit_ids=rnd.unit_ids,
            include_active=rnd.include_active,
        )
        if len(waiting) <= INLINE_OPEN_MAX:
            await open_round(session, clock, config, rnd)
        # else the scheduler opens it within a minute, a chunk of risks per transaction
    return rnd


async def open_round(
    session: AsyncSession, clock: Clock, config: PublicityConfig, rnd: PublicityRound
) -> int:
    """Open a scheduled round now, all in the caller's transaction; returns the risks shown."""
    shown = await start_round(session, clock, rnd)
    await publicise_some(session, clock, config, rnd, limit=None)
    await announce(session, clock, config, rnd)
    return shown


async def start_round(session: AsyncSession, clock: Clock, rnd: PublicityRound) -> int:
    """The first step of opening: the round is open and its items (with codes) are written.

    Its approved risks are publicised next (`publicise_some`), then it is announced.
    """
    await move(session, clock, rnd, RoundAction.OPEN, actor=None)
    found = await candidates(
        session,
        all_units=rnd.all_units,
        unit_ids=rnd.unit_ids,
        include_active=rnd.include_active,
    )
    await _add_items(session, rnd.id, found)
    return len(found)


async def publicise_some(
    session: AsyncSession,
    clock: Clock,
    config: PublicityConfig,
    rnd: PublicityRound,
    *,
    limit: int | None,
) -> int:
    """Move up to `limit` of the round's approved risks through the workflow's `publicise`
    (scheduler actor, audited); returns how many moved (0: none is left)."""
    query = (
        select(PublicityItem.risk_id)
        .join(RiskPoint, RiskPoint.id == PublicityItem.risk_id)
        .where(PublicityItem.round_id == rnd.id, RiskPoint.status == RiskState.APPROVED.value)
        .order_by(PublicityItem.risk_id)
    )
    if limit is not None:
        query = query.limit(limit)
    todo = list(await session.scalars(query))
    await _publicise(session, clock, config, todo)
    return len(todo)


async def announce(
    session: AsyncSession, clock: Clock, config: PublicityConfig, rnd: PublicityRound
) -> bool:
    """The last step of opening, once: channel posts and subscribers' notices queued."""
    if rnd.announced_at is not None:
        return False
    shown = await session.scalar(
        select(func.count()).select_from(PublicityItem).where(PublicityItem.round_id == rnd.id)
    )
    await channel.post_round(session, clock, config, rnd)
    await notices.tell_opened(session, clock, config, rnd, int(shown or 0))
    rnd.announced_at = clock.now()
    await session.flush()
    return True


async def _add_items(session: AsyncSession, round_id: int, found: Sequence[Candidate]) -> None:
    rows = [
        {
            "round_id": round_id,
            "risk_id": c.risk_id,
            "unit_id": c.unit_id,
            "level": c.level,
            "code": new_code(),
        }
        for c in found
    ]
    for start in range(0, len(rows), 500):
        await session.execute(insert(PublicityItem), rows[start : start + 500])


async def _publicise(
    session: AsyncSession, clock: Clock, config: PublicityConfig, todo: Sequence[int]
) -> None:
    """Approved risks become active through the workflow (callers pass approved ones)."""
    if not todo:
        return
    # What each transition looks up by primary key is loaded first, so `session.get` finds
    # it in the identity map (a round moves thousands of risks); held here so it stays there.
    held: list[object] = [
        *(await session.scalars(select(Unit))).all(),
        *(await session.scalars(select(Post))).all(),
    ]
    with session.no_autoflush:  # nothing below reads back what the moves write
        for start in range(0, len(todo), PRELOAD_CHUNK):
            chunk = list(todo[start : start + PRELOAD_CHUNK])
            held += (
                await session.scalars(
                    select(RiskPoint)
                    .where(RiskPoint.id.in_(chunk))
                    .options(selectinload(RiskPoint.measures))
                )
            ).all()
            held += (
                await session.scalars(select(RiskReview).where(RiskReview.risk_id.in_(chunk)))
            ).all()
            for risk_id in chunk:
                await review.transition(
                    session,
                    clock,
                    config.review,
                    actor=None,
                    risk_id=risk_id,
                    decision=review.Decision(Action.PUBLICISE),
                )
    await session.flush()
    del held


async def unannounced(session: AsyncSession) -> list[int]:
    """Open rounds still being opened (risks to publicise, posts and notices to queue)."""
    rows = await session.scalars(
        select(PublicityRound.id)
        .where(
            PublicityRound.status == RoundState.OPEN.value, PublicityRound.announced_at.is_(None)
        )
        .order_by(PublicityRound.id)
    )
    return list(rows)


async def close_round(
    session: AsyncSession,
    clock: Clock,
    config: PublicityConfig,
    rnd: PublicityRound,
    *,
    actor: Person | None = None,
) -> PublicityRound:
    """Close an open round (or call off a scheduled one): posts edited, summaries queued."""
    if rnd.status == RoundState.SCHEDULED.value:
        return await move(session, clock, rnd, RoundAction.CANCEL, actor=actor)
    await move(session, clock, rnd, RoundAction.CLOSE, actor=actor)
    await channel.close_posts(session, clock, config, rnd)
    await notices.tell_closed(session, clock, config, rnd)
    return rnd


async def due_to_open(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(PublicityRound.id)
        .where(
            PublicityRound.status == RoundState.SCHEDULED.value, PublicityRound.starts_at <= now
        )
        .order_by(PublicityRound.starts_at, PublicityRound.id)
    )
    return list(rows)


async def due_to_close(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(PublicityRound.id)
        .where(PublicityRound.status == RoundState.OPEN.value, PublicityRound.ends_at <= now)
        .order_by(PublicityRound.ends_at, PublicityRound.id)
    )
    return list(rows)


async def get_round(session: AsyncSession, round_id: int) -> PublicityRound | None:
    return await session.get(PublicityRound, round_id)


async def rounds_in(session: AsyncSession, *states: RoundState) -> list[PublicityRound]:
    rows = await session.scalars(
        select(PublicityRound)
        .where(PublicityRound.status.in_([s.value for s in states]))
        .order_by(PublicityRound.id.desc())
    )
    return list(rows)
