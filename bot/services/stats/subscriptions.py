"""Digest subscriptions: subscribe (or change) yourself, pause and resume, and the commission
subscribing every leader of a unit at once. Authority from the database on every call; the
state moves only through `move()` (table in `bot.domain.digest_rules`), audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.digest_rules import (
    AUDIT_ACTIONS,
    Frequency,
    SubscriptionAction,
    SubscriptionState,
    check_hour,
    next_state,
)
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.roles import Role
from bot.services import audit
from bot.services.campaigns import admin_scope, subtree_ids
from bot.services.stats.scope import may_see_overview
from storage.models.digest import DigestSubscription
from storage.models.org import Person, RoleAssignment, Unit
from storage.repositories import people

DEFAULT_FREQUENCY, DEFAULT_HOUR = Frequency.WEEKLY, 9


async def subscription_of(session: AsyncSession, person: Person) -> DigestSubscription | None:
    return await session.scalar(
        select(DigestSubscription).where(DigestSubscription.person_id == person.id)
    )


def _require(person: Person | None) -> Person:
    if person is None or not may_see_overview(person):
        raise ServiceError("overview.not_allowed")
    return person


async def _upsert(
    session: AsyncSession,
    clock: Clock,
    person: Person,
    frequency: Frequency,
    hour: int,
    actor: Person,
) -> DigestSubscription:
    now = clock.now()
    sub = await subscription_of(session, person)
    before = None if sub is None else audit.snapshot(sub, "frequency", "hour", "state")
    if sub is None:
        sub = DigestSubscription(
            person_id=person.id,
            created_by_id=actor.id,
            created_at=now,
            last_period=None,
            last_headline=None,
        )
        session.add(sub)
    sub.frequency, sub.hour = frequency.value, check_hour(hour)
    sub.state = SubscriptionState.ACTIVE.value if before is None else sub.state
    # A new or changed subscription counts slots from now: it waits for its next hour.
    sub.since, sub.updated_at = now, now
    await session.flush()
    audit.record(
        session,
        clock,
        actor=actor,
        channel="bot",
        action="digest.subscribe",
        entity=sub,
        before=before,
        after=audit.snapshot(sub, "frequency", "hour", "state"),
    )
    return sub


async def subscribe(
    session: AsyncSession, clock: Clock, person: Person | None, frequency: str, hour: int
) -> DigestSubscription:
    """Subscribe `person` to their own digest (or change how often / when)."""
    me = _require(person)
    try:
        chosen = Frequency(frequency)
    except ValueError:
        raise ServiceError("digest.bad_frequency") from None
    return await _upsert(session, clock, me, chosen, hour, me)


async def move(
    session: AsyncSession, clock: Clock, person: Person | None, action: SubscriptionAction
) -> DigestSubscription:
    """Pause or resume one's digest: the one write path of a subscription's state."""
    me = _require(person)
    sub = await subscription_of(session, me)
    if sub is None:
        raise ServiceError("digest.none")
    before = audit.snapshot(sub, "state")
    sub.state = next_state(sub.state, action).value
    if action is SubscriptionAction.RESUME:
        sub.since = clock.now()  # periods missed while paused are not made up
    sub.updated_at = clock.now()
    await session.flush()
    audit.record(
        session,
        clock,
        actor=me,
        channel="bot",
        action=AUDIT_ACTIONS[action],
        entity=sub,
        before=before,
        after=audit.snapshot(sub, "state"),
    )
    return sub


@dataclass(frozen=True)
class UnitWithLeaders:
    unit_id: int
    path: str
    leaders: int


async def units_with_leaders(
    session: AsyncSession, admin: Person | None, offset: int, limit: int
) -> tuple[Sequence[UnitWithLeaders], int]:
    """A page of the units (in the admin's scope) whose leaders the commission may subscribe."""
    scope = await admin_scope(session, admin)
    statement = (
        select(Unit.id, Unit.path, func.count(RoleAssignment.id))
        .join(RoleAssignment, RoleAssignment.unit_id == Unit.id)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(RoleAssignment.role == Role.LEADER.value, Person.active.is_(True))
        .group_by(Unit.id, Unit.path)
    )
    if scope is not None:
        statement = statement.where(Unit.id.in_(sorted(scope)))
    rows = [UnitWithLeaders(*row) for row in await session.execute(statement.order_by(Unit.path))]
    return rows[offset : offset + limit], len(rows)


async def subscribe_unit_leaders(
    session: AsyncSession,
    clock: Clock,
    admin: Person | None,
    unit_id: int,
    *,
    frequency: Frequency = DEFAULT_FREQUENCY,
    hour: int = DEFAULT_HOUR,
) -> list[Person]:
    """The commission subscribes every leader of a unit (and of the units under it) who has no
    subscription yet; those who chose their own keep it. Returns the newly subscribed."""
    scope = await admin_scope(session, admin)
    assert admin is not None  # admin_scope refused otherwise
    if scope is not None and unit_id not in scope:
        raise NotAllowed()
    units = await subtree_ids(session, [unit_id])
    if not units:
        raise ServiceError("overview.unit_gone")
    leaders = [
        person for _, person in await people.holding_in_units(session, Role.LEADER.value, units)
    ]
    added = []
    for leader in leaders:
        if await subscription_of(session, leader) is None:
            await _upsert(session, clock, leader, frequency, hour, admin)
            added.append(leader)
    return added
