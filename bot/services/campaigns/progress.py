"""Campaigns: the checks of what an admin types, and progress recomputed from the register
(done is never stored)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.campaign_rules import (
    NAME_MAX,
    MeasureFact,
    PostRecords,
    Requirement,
    post_done,
)
from bot.domain.errors import ServiceError
from bot.domain.risk_workflow import RiskState
from bot.domain.text_length import is_blank, utf16_len
from bot.services.campaigns.scope import DEADLINE_MAX_DAYS, LISTED, admin_scope, subtree_ids
from storage.models.campaign import Campaign
from storage.models.org import Person, Post, Unit
from storage.repositories import campaigns as campaigns_repo
from storage.repositories import org as org_repo
from storage.repositories import people as people_repo


def check_name(text: str | None) -> str:
    name = "" if is_blank(text) else " ".join((text or "").split())
    # A command typed mid-wizard is not a name (it would be saved as one otherwise).
    if not name or utf16_len(name) > NAME_MAX or name.startswith("/"):
        raise ServiceError("campaign.bad_name", limit=NAME_MAX)
    return name


def check_requirement(value: str) -> Requirement:
    try:
        return Requirement(value)
    except ValueError:
        raise ServiceError("fallback.stale_button") from None


def check_deadline(value: str | date | None, today: date) -> date:
    """A date (YYYY-MM-DD) from today to a year ahead; a past date is refused."""
    if isinstance(value, date):
        deadline = value
    else:
        try:
            deadline = date.fromisoformat((value or "").strip())
        except ValueError:
            raise ServiceError("campaign.bad_date") from None
    if deadline < today:
        raise ServiceError("campaign.past_date", today=today.isoformat())
    if deadline > today + timedelta(days=DEADLINE_MAX_DAYS):
        raise ServiceError("campaign.far_date", limit=DEADLINE_MAX_DAYS)
    return deadline


# --- progress ---------------------------------------------------------------------------------


@dataclass
class PostProgress:
    post: Post
    done: bool
    holders: list[Person] = field(default_factory=list)


@dataclass
class UnitProgress:
    unit: Unit
    posts: list[PostProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.posts)

    @property
    def missing(self) -> list[PostProgress]:
        return [p for p in self.posts if not p.done]


@dataclass
class Progress:
    units: list[UnitProgress]

    @property
    def total(self) -> int:
        return sum(len(u.posts) for u in self.units)

    @property
    def done(self) -> int:
        return sum(u.done for u in self.units)

    def to_remind(self) -> list[Person]:
        """Holders of posts still missing the work, who can be reached on Telegram."""
        return [
            person
            for unit in self.units
            for post in unit.missing
            for person in post.holders
            if person.telegram_id is not None and not person.unreachable
        ]


async def _records(
    session: AsyncSession, post_ids: list[int], requirement: Requirement
) -> dict[int, PostRecords]:
    """The register state of the posts, loaded only as far as the requirement needs."""
    powers: dict[int, list[str]] = defaultdict(list)
    risks: dict[int, list[str]] = defaultdict(list)
    measures: dict[int, list[MeasureFact]] = defaultdict(list)
    if requirement is Requirement.POWERS:
        for post_id, status in await campaigns_repo.power_statuses(session, post_ids):
            powers[post_id].append(status)
    elif requirement in (Requirement.RISKS, Requirement.REGRADING):
        for post_id, status in await campaigns_repo.risk_statuses(session, post_ids):
            risks[post_id].append(status)
    else:
        rows = await campaigns_repo.measure_facts(
            session, post_ids, left_out=[RiskState.WITHDRAWN.value, RiskState.PROPOSED.value]
        )
        for post_id, deadline, status, reported_at in rows:
            measures[post_id].append(MeasureFact(deadline, status, reported_at))
    return {
        post_id: PostRecords(
            tuple(powers[post_id]), tuple(risks[post_id]), tuple(measures[post_id])
        )
        for post_id in post_ids
    }


async def compute_progress(
    session: AsyncSession,
    unit_ids: Sequence[int],
    requirement: Requirement,
    deadline: date,
    started_at: datetime,
) -> Progress:
    """Each post under the units, done or not, with its holders; grouped by the post's unit."""
    in_scope = await subtree_ids(session, unit_ids)
    units = await org_repo.units_by_ids(session, in_scope)
    posts = await org_repo.posts_of_units(session, [u.id for u in units])
    post_ids = [p.id for p in posts]
    records = await _records(session, post_ids, requirement)
    holders: dict[int, list[Person]] = defaultdict(list)
    for person in await people_repo.active_on_posts(session, post_ids):
        if person.post_id is not None:  # holders of these posts: always set
            holders[person.post_id].append(person)
    by_unit = {u.id: UnitProgress(u) for u in units}
    for post in posts:
        done = post_done(requirement, records[post.id], deadline=deadline, started_at=started_at)
        by_unit[post.unit_id].posts.append(PostProgress(post, done, holders[post.id]))
    return Progress([u for u in by_unit.values() if u.posts])


async def progress_of(session: AsyncSession, campaign: Campaign) -> Progress:
    return await compute_progress(
        session,
        campaign.unit_ids,
        Requirement(campaign.requirement),
        campaign.deadline,
        campaign.created_at,
    )


# --- reading and writing campaigns ------------------------------------------------------------


def _in_scope(campaign: Campaign, scope: set[int] | None) -> bool:
    return scope is None or set(campaign.unit_ids) <= scope


async def campaigns_for(session: AsyncSession, actor: Person) -> list[Campaign]:
    """The campaigns an admin may see: active first, then the latest closed ones."""
    scope = await admin_scope(session, actor)
    rows = await campaigns_repo.ordered(session)
    return [c for c in rows if _in_scope(c, scope)][:LISTED]


async def get_for(session: AsyncSession, actor: Person, campaign_id: int) -> Campaign:
    """A campaign the admin may see; another scope's looks as missing as a deleted one."""
    scope = await admin_scope(session, actor)
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or not _in_scope(campaign, scope):
        raise ServiceError("campaign.not_found")
    return campaign
