"""What waits for whom: the reviewer's inbox, the colleague's list, a record's history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import NotAllowed
from bot.domain.risk_workflow import Actor, RiskState
from bot.domain.roles import Role
from bot.services import review_subject as subject
from bot.services.review.model import NoteKind, ReviewConfig
from bot.services.review.situation import actors_for, can_see, reviewer_scopes, situation
from storage.models.audit import AuditLog
from storage.models.org import Person, Unit
from storage.models.review import ReviewNote, RiskReview
from storage.repositories import org as org_repo
from storage.repositories import review as review_repo


class InboxKind(StrEnum):
    """The inbox's sections, in the order shown."""

    SOCIAL = "social"
    GRADED = "graded"
    APPROVAL = "approval"
    DISPUTES = "disputes"


_INBOX: dict[InboxKind, tuple[tuple[RiskState, Actor], ...]] = {
    InboxKind.SOCIAL: ((RiskState.SOCIAL_REVIEW, Actor.REVIEWER),),
    InboxKind.GRADED: ((RiskState.GRADED_REVIEW, Actor.REVIEWER),),
    InboxKind.APPROVAL: (
        (RiskState.ORG_APPROVAL, Actor.APPROVER),
        (RiskState.STANDING_COMMITTEE, Actor.COMMISSION),
    ),
    InboxKind.DISPUTES: ((RiskState.DISPUTED, Actor.REVIEWER),),
}


async def units_in_scope(session: AsyncSession, person: Person) -> list[int] | None:
    """The unit ids a reviewer's scopes cover (their subtrees); None means everything."""
    if person.has_role(Role.ADMIN):
        return None
    ids: set[int] = set()
    for scope_id in reviewer_scopes(person):
        scope = await session.get(Unit, scope_id)
        if scope is not None:
            ids.update(await org_repo.subtree_ids(session, scope))
    return sorted(ids)


async def inbox(
    session: AsyncSession, config: ReviewConfig, person: Person
) -> dict[InboxKind, list[int]]:
    """What waits for `person`, by kind: risk ids, oldest first."""
    units = await units_in_scope(session, person)
    result: dict[InboxKind, list[int]] = {kind: [] for kind in InboxKind}
    states = {state for pairs in _INBOX.values() for state, _ in pairs}
    candidates = await subject.ids_in_states_for_units(session, sorted(states), units)
    for risk_id in candidates:
        sit = await situation(session, config, risk_id)
        kinds = actors_for(person, sit)
        if Actor.COMMISSION in kinds:
            kinds |= {Actor.REVIEWER, Actor.APPROVER}
        for kind, pairs in _INBOX.items():
            if any(sit.state is state and actor in kinds for state, actor in pairs):
                result[kind].append(risk_id)
    return result


async def peer_items(session: AsyncSession, config: ReviewConfig, person: Person) -> list[int]:
    """Risks of the person's unit open to social review, not their own."""
    if person.unit_id is None:
        return []
    ids = await subject.ids_in_states_for_units(
        session, [RiskState.SOCIAL_REVIEW.value], [person.unit_id]
    )
    items = []
    for risk_id in ids:
        sit = await situation(session, config, risk_id)
        if Actor.COLLEAGUE in actors_for(person, sit):
            items.append(risk_id)
    return items


async def notes_of(session: AsyncSession, risk_id: int) -> list[ReviewNote]:
    return await review_repo.notes_of(session, risk_id)


async def social_closes_at(session: AsyncSession, risk_ids: list[int]) -> datetime | None:
    """When the first of these risks' social-review windows closes (None: none is open)."""
    moments = []
    for risk_id in risk_ids:
        row = await session.get(RiskReview, risk_id)
        if row is not None and row.social_closes_at is not None:
            moments.append(row.social_closes_at)
    return min(moments) if moments else None


async def return_comment(session: AsyncSession, risk_id: int) -> str | None:
    """What the reviewer wrote when they last returned the risk (None: never returned)."""
    returns = [
        n for n in await review_repo.notes_of(session, risk_id) if n.kind == NoteKind.RETURN.value
    ]
    return returns[-1].text if returns else None


async def history(
    session: AsyncSession, config: ReviewConfig, person: Person, risk_id: int
) -> list[AuditLog]:
    """The audit trail of a risk point, for those who may see it."""
    sit = await situation(session, config, risk_id)
    if not can_see(person, sit):
        raise NotAllowed()
    return await review_repo.risk_audit(session, risk_id)
