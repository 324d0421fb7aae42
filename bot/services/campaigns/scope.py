"""Campaigns: who may act on which units (the commission everywhere, a unit admin within
its subtree), and the units a campaign may cover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.campaign_rules import (
    ReminderPlan,
    parse_days,
)
from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.roles import Role
from bot.settings import Settings
from storage.models.org import Person, Unit

KIND = "remind.campaign"
DEADLINE_MAX_DAYS = 366  # a campaign runs within a year
LISTED = 10  # campaigns on the list


def plan_of(settings: Settings) -> ReminderPlan:
    return ReminderPlan(
        parse_days(settings.campaign_reminder_days), settings.campaign_overdue_every_days
    )


def today_of(clock: Clock | datetime, settings: Settings) -> date:
    now = clock if isinstance(clock, datetime) else clock.now()
    return now.astimezone(ZoneInfo(settings.timezone)).date()


# --- scope ------------------------------------------------------------------------------------


async def admin_scope(session: AsyncSession, actor: Person | None) -> set[int] | None:
    """The units an admin may run campaigns over; None means every unit (the commission)."""
    if actor is None or not actor.active or not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    assignment = next(a for a in actor.role_assignments if a.role == Role.ADMIN.value)
    if assignment.unit_id is None:
        return None
    unit = await session.get(Unit, assignment.unit_id)
    if unit is None or unit.parent_id is None or unit.kind == "district":
        return None
    parent = await session.get(Unit, unit.parent_id)
    has_children = await session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1))
    if parent is not None and parent.parent_id is None and has_children is None:
        return None  # a district-level office (区纪委): the commission itself
    return set(await subtree_ids(session, [unit.id]))


async def subtree_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """The units and everything under them (units nest by path: 长安区/卫生局/医政科)."""
    if not unit_ids:
        return []
    roots = (await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))).all()
    conditions = [Unit.id.in_([u.id for u in roots])]
    conditions += [Unit.path.startswith(u.path + "/", autoescape=True) for u in roots]
    return list(await session.scalars(select(Unit.id).where(or_(*conditions))))


async def pickable_units(
    session: AsyncSession, actor: Person, offset: int, limit: int
) -> tuple[Sequence[Unit], int]:
    """A page of the units an admin may put in a campaign's scope, by path."""
    scope = await admin_scope(session, actor)
    where = [] if scope is None else [Unit.id.in_(sorted(scope))]
    total = await session.scalar(select(func.count()).select_from(Unit).where(*where)) or 0
    rows = await session.scalars(
        select(Unit).where(*where).order_by(Unit.path).offset(offset).limit(limit)
    )
    return rows.all(), int(total)


async def top_units_in_scope(session: AsyncSession, actor: Person) -> list[int]:
    """ "All in my scope" as a list of units: the roots (commission) or the admin's own unit."""
    scope = await admin_scope(session, actor)
    if scope is None:
        return list(await session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    units = (await session.scalars(select(Unit).where(Unit.id.in_(sorted(scope))))).all()
    return [u.id for u in units if u.parent_id not in scope]


async def check_units(session: AsyncSession, actor: Person, unit_ids: Sequence[int]) -> list[int]:
    scope = await admin_scope(session, actor)
    ids = sorted(set(unit_ids))
    if not ids:
        raise ServiceError("campaign.need_units")
    known = set(await session.scalars(select(Unit.id).where(Unit.id.in_(ids))))
    if known != set(ids):
        raise ServiceError("fallback.stale_button")
    if scope is not None and not set(ids) <= scope:
        raise NotAllowed("campaign.out_of_scope")
    return ids


# --- input checks -----------------------------------------------------------------------------
