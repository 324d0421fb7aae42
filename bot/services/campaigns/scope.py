"""Campaigns: who may act on which units (the commission everywhere, a unit admin within
its subtree), and the units a campaign may cover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

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
from storage.repositories import org as org_repo

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
    if (
        parent is not None
        and parent.parent_id is None
        and not await org_repo.has_children(session, unit.id)
    ):
        return None  # a district-level office (区纪委): the commission itself
    return set(await subtree_ids(session, [unit.id]))


async def subtree_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """The units and everything under them (units nest by path: 长安区/卫生局/医政科)."""
    return await org_repo.subtrees_ids(session, unit_ids)


async def pickable_units(
    session: AsyncSession, actor: Person, offset: int, limit: int
) -> tuple[Sequence[Unit], int]:
    """A page of the units an admin may put in a campaign's scope, by path."""
    scope = await admin_scope(session, actor)
    return await org_repo.units_page_within(
        session, None if scope is None else sorted(scope), offset, limit
    )


async def top_units_in_scope(session: AsyncSession, actor: Person) -> list[int]:
    """ "All in my scope" as a list of units: the roots (commission) or the admin's own unit."""
    scope = await admin_scope(session, actor)
    if scope is None:
        return await org_repo.root_ids(session)
    units = await org_repo.units_by_ids(session, sorted(scope))
    return [u.id for u in units if u.parent_id not in scope]


async def check_units(session: AsyncSession, actor: Person, unit_ids: Sequence[int]) -> list[int]:
    scope = await admin_scope(session, actor)
    ids = sorted(set(unit_ids))
    if not ids:
        raise ServiceError("campaign.need_units")
    known = await org_repo.existing_ids(session, ids)
    if known != set(ids):
        raise ServiceError("fallback.stale_button")
    if scope is not None and not set(ids) <= scope:
        raise NotAllowed("campaign.out_of_scope")
    return ids


# --- input checks -----------------------------------------------------------------------------
