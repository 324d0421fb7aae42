"""Records waiting in the review, read set-based for the daily reminder scan: the risks in
the steps someone must act on, their chains, holders and the people of each route, in a
handful of statements whatever the size of the register (not one `situation()` per risk)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.grading import Grade
from bot.domain.review_routing import Route, UnitRef
from bot.domain.risk_workflow import RiskState
from bot.domain.roles import Role
from bot.services import review_subject as subject
from bot.services.review.model import ReviewConfig, level_for_approval, level_for_review
from bot.services.review.situation import grade_for, routes
from storage.models.org import Person
from storage.repositories import org as org_repo
from storage.repositories import people as people_repo
from storage.repositories import review as review_repo


@dataclass(frozen=True)
class Waiting:
    """A risk waiting in a review step, routed."""

    risk_id: int
    state: RiskState
    title: str
    last_move: datetime  # its latest audit row, else its last update
    updated_at: datetime
    chain: list[UnitRef]
    review_route: Route
    approval_route: Route
    holder_ids: frozenset[int]


@dataclass(frozen=True)
class Audiences:
    """Who acts on each route: the commission's admins, each unit's reviewers; and the units
    with a reviewer (what routing needs)."""

    admins: list[Person]
    reviewers: dict[int, list[Person]]

    @property
    def reviewer_units(self) -> set[int]:
        return set(self.reviewers)

    def of(self, route: Route) -> list[Person]:
        if route.is_commission:
            return self.admins
        return self.reviewers.get(route.unit_id or 0, [])


async def audiences(session: AsyncSession) -> Audiences:
    """Every active admin and reviewer with their scopes, in one statement."""
    admins: list[Person] = []
    reviewers: dict[int, list[Person]] = defaultdict(list)
    rows = await people_repo.active_with_roles(session, [Role.ADMIN.value, Role.REVIEWER.value])
    for person, role, unit_id in rows:
        if role == Role.ADMIN.value:
            admins.append(person)
        elif unit_id is not None:
            reviewers[unit_id].append(person)
    return Audiences(admins, dict(reviewers))


def aware(moment: datetime) -> datetime:
    """A stored moment in UTC (SQLite gives them back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def routed(
    session: AsyncSession,
    config: ReviewConfig,
    states: Sequence[RiskState],
    scopes: set[int],
    *,
    moved_by: datetime | None = None,
) -> list[Waiting]:
    """The risks in `states` (those whose last move is at or before `moved_by`, when given),
    routed as `situation()` routes them (`scopes`: the units with an active reviewer),
    by id."""
    rows = await review_repo.in_states(session, [state.value for state in states])
    if moved_by is not None:
        rows = [row for row in rows if aware(row.last_move) <= moved_by]
    chains = await org_repo.unit_chains(session, sorted({row.unit_id for row in rows}))
    holders = await people_repo.active_ids_by_post(session, sorted({r.post_id for r in rows}))
    found = []
    grades: dict[tuple[object, ...], Grade | None] = {}  # few distinct factor sets: grade once
    for row in rows:
        chain = [UnitRef(unit.id, unit.kind) for unit in chains[row.unit_id]]
        grade = None
        if not row.suggested_level:
            known = (*row.factors.values(), bool(row.focus_programme))
            if known not in grades:
                factors = {k: value for k, value in row.factors.items() if value is not None}
                complete = factors if len(factors) == len(row.factors) else None
                grades[known] = grade_for(complete, bool(row.focus_programme), config)
            grade = grades[known]
        for_review = level_for_review(row.suggested_level, grade)
        review_route, approval_route = routes(
            for_review, level_for_approval(row.reviewed_level, for_review), chain, config, scopes
        )
        ids = set(holders[row.post_id])
        if row.created_by_id is not None:  # as `review_subject.holder_ids`
            ids.add(row.created_by_id)
        found.append(
            Waiting(
                risk_id=row.risk_id,
                state=RiskState(row.status),
                title=subject.clip_title(row.description),
                last_move=aware(row.last_move),
                updated_at=aware(row.updated_at),
                chain=chain,
                review_route=review_route,
                approval_route=approval_route,
                holder_ids=frozenset(ids),
            )
        )
    return found
