"""Who answers a feedback item (分级负责) and who an official is for one item.

The tier is the one that reviews the risk's level (`review_tier_by_level`, the same routing
as graded review, `bot.domain.review_routing`); a misconduct report (问题线索) goes to the
commission only, whatever the level — never to the unit concerned. Reviewers of the routed
unit act on it, and those above it on the chain may stand in; a reviewer of a lower tier or
of another branch may not. Nobody answers feedback on a risk of their own post.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback import Actor, Kind
from bot.domain.review_routing import (
    COMMISSION_ROUTE,
    Route,
    Tier,
    UnitRef,
    may_act,
    route_above,
    route_for_level,
)
from bot.domain.roles import Role
from bot.services import review
from bot.services import review_subject as subject
from bot.services.feedback.config import FeedbackConfig
from storage.models.feedback import Feedback
from storage.models.org import Person

DEFAULT_LEVEL = 3  # a risk publicised without a level is answered like a low one


async def route_for(
    session: AsyncSession, config: FeedbackConfig, *, kind: Kind, level: int | None, unit_id: int
) -> Route:
    if kind is Kind.MISCONDUCT:
        return COMMISSION_ROUTE
    chain = await review.unit_chain(session, unit_id)
    scopes = await review.reviewer_units(session)
    return route_for_level(level or DEFAULT_LEVEL, config.review_tiers, chain, scopes)


def route_of(item: Feedback) -> Route:
    return Route(Tier(item.route_tier), item.route_unit_id)


async def chain_of(session: AsyncSession, item: Feedback) -> list[UnitRef]:
    return await review.unit_chain(session, item.unit_id)


async def above(session: AsyncSession, item: Feedback) -> Route | None:
    """The tier above the item's current route (None: it is with the commission already)."""
    if item.kind == Kind.MISCONDUCT.value:
        return None
    chain = await chain_of(session, item)
    return route_above(route_of(item), chain, await review.reviewer_units(session))


async def holder_ids(session: AsyncSession, item: Feedback) -> set[int]:
    risk = await subject.get_risk(session, item.risk_id)
    return set(await subject.holder_ids(session, risk)) if risk is not None else set()


async def actors_for(session: AsyncSession, person: Person, item: Feedback) -> set[Actor]:
    """What an official is for this item: commission, reviewer of its tier, or nothing."""
    if not person.active or person.id in await holder_ids(session, item):
        return set()
    kinds: set[Actor] = set()
    if person.has_role(Role.ADMIN):
        kinds.add(Actor.COMMISSION)
    if person.has_role(Role.REVIEWER) and item.kind != Kind.MISCONDUCT.value:
        chain = await chain_of(session, item)
        if may_act(route_of(item), chain, review.reviewer_scopes(person), is_commission=False):
            kinds.add(Actor.REVIEWER)
    return kinds


async def people_for(session: AsyncSession, route: Route, item: Feedback) -> list[Person]:
    """Who is told of an item on `route`: its reviewers (or the commission), not holders."""
    holders = await holder_ids(session, item)
    return [p for p in await review.people_for_route(session, route) if p.id not in holders]
