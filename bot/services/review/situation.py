"""Loading a risk for a decision, and who a person is for it (holder, reviewer, …)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.grading import Factors, Grade, grade_risk
from bot.domain.review_routing import Route, Tier, UnitRef, may_act, route_for_level
from bot.domain.risk_workflow import Actor, track_for
from bot.domain.roles import Role
from bot.services import review_subject as subject
from bot.services.review.model import ReviewConfig, Situation
from storage.models.org import Person
from storage.models.register import RiskPoint
from storage.models.review import RiskReview
from storage.repositories import org as org_repo
from storage.repositories import review as review_repo


async def unit_chain(session: AsyncSession, unit_id: int) -> list[UnitRef]:
    """The unit and its ancestors, bottom up (a short walk: the tree is three levels)."""
    return [UnitRef(unit.id, unit.kind) for unit in await org_repo.unit_chain(session, unit_id)]


async def reviewer_units(session: AsyncSession) -> set[int]:
    """Units with at least one active reviewer scoped to them."""
    return await org_repo.units_with_active_role(session, Role.REVIEWER.value)


def reviewer_scopes(person: Person) -> set[int]:
    """The unit ids a person reviews (their reviewer role assignments)."""
    return {
        a.unit_id
        for a in person.role_assignments
        if a.role == Role.REVIEWER.value and a.unit_id is not None
    }


async def review_row(session: AsyncSession, risk_id: int) -> RiskReview:
    """The risk's review bookkeeping, created on first need."""
    return await review_repo.review_row(session, risk_id)


def grade_of(risk: RiskPoint, config: ReviewConfig) -> Grade | None:
    """The rule's grade for the risk's factors (None while factors are incomplete)."""
    return grade_for(subject.factors(risk), subject.is_focus(risk), config)


def grade_for(values: dict[str, int] | None, focus: bool, config: ReviewConfig) -> Grade | None:
    """The rule's grade for five factors (None while any is missing)."""
    if values is None:
        return None
    return grade_risk(Factors.from_mapping(values), config.rule, focus=focus)


async def situation(session: AsyncSession, config: ReviewConfig, risk_id: int) -> Situation:
    """Load a risk for a decision; a missing one is refused as stale (it may be deleted)."""
    risk = await subject.get_risk(session, risk_id)
    if risk is None:
        raise ServiceError("review.not_found")
    post = await subject.post_of(session, risk)
    review = await review_row(session, risk.id)
    chain = await unit_chain(session, post.unit_id)
    scopes = await reviewer_units(session)
    sit = Situation(
        risk=risk,
        review=review,
        chain=chain,
        unit_id=post.unit_id,
        track=track_for(post.is_leadership),
        grade=grade_of(risk, config),
        review_route=Route(Tier.COMMISSION),
        approval_route=Route(Tier.COMMISSION),
        holder_ids=frozenset(await subject.holder_ids(session, risk)),
    )
    route(sit, config, scopes)
    return sit


def route(sit: Situation, config: ReviewConfig, scopes: set[int]) -> None:
    """Who reviews and who approves the record, by its levels (分级管理、分级负责)."""
    sit.review_route, sit.approval_route = routes(
        sit.level_for_review, sit.level_for_approval, sit.chain, config, scopes
    )


def routes(
    for_review: int,
    for_approval: int,
    chain: list[UnitRef],
    config: ReviewConfig,
    scopes: set[int],
) -> tuple[Route, Route]:
    """The review route and the approval route for these levels on this chain."""
    return (
        route_for_level(for_review, config.review_tiers, chain, scopes),
        route_for_level(for_approval, config.approval_tiers, chain, scopes),
    )


def actors_for(person: Person | None, sit: Situation) -> set[Actor]:
    """The actor kinds `person` is for this record; None is the scheduler.

    Nobody approves their own record: the holder is never also its reviewer, approver or
    commission. Leadership records are decided by the commission alone (常委定).
    """
    if person is None:
        return {Actor.SCHEDULER}
    if not person.active:
        return set()
    kinds: set[Actor] = set()
    if person.id in sit.holder_ids:
        kinds.add(Actor.HOLDER)
        return kinds
    if person.unit_id == sit.unit_id and person.has_role(Role.STAFF, Role.LEADER):
        kinds.add(Actor.COLLEAGUE)
    if person.has_role(Role.ADMIN):
        kinds.add(Actor.COMMISSION)
    if person.has_role(Role.REVIEWER):
        scopes = reviewer_scopes(person)
        if may_act(sit.review_route, sit.chain, scopes, is_commission=False):
            kinds.add(Actor.REVIEWER)
        if may_act(sit.approval_route, sit.chain, scopes, is_commission=False):
            kinds.add(Actor.APPROVER)
    return kinds


def can_see(person: Person, sit: Situation) -> bool:
    """Who may read a record's card and history: its holder, colleagues, reviewers in scope,
    the commission."""
    if person.id in sit.holder_ids or person.has_role(Role.ADMIN):
        return True
    if person.unit_id == sit.unit_id:
        return True
    return person.has_role(Role.REVIEWER) and any(
        unit.id in reviewer_scopes(person) for unit in sit.chain
    )


def require_person(person: Person | None) -> Person:
    if person is None:
        raise NotAllowed()
    return person
