"""The five-step review of risk points: every move goes through `transition()`.

岗位自评 → 社会评议 → 分级评审 → 组织审定 → 社会公示, routed by level (分级管理、分级负责) and
re-graded periodically (定期调整). The rules themselves are pure and live elsewhere —
`bot.domain.risk_workflow` (which move is legal, for whom), `bot.domain.grading` (the
suggested level),
`bot.domain.review_routing` (which tier handles a level) — this module applies them to the
database: it works out who the person is *for this record*, checks, writes the change, the
audit row and the review timeline, and queues the notices, all in one transaction.

Authority is decided here, never from a button: a card's button carries only the risk id and
the version the card showed; a stale version or a move that no longer exists is refused
with a message saying why, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.grading import Factors, Grade, GradingRule, grade_risk
from bot.domain.review_routing import (
    Route,
    Tier,
    UnitRef,
    may_act,
    route_for_level,
)
from bot.domain.risk_workflow import Action, Actor, RiskState, Track, check, track_for
from bot.domain.roles import Role
from bot.services import audit
from bot.services import review_subject as subject
from bot.services.review_notices import Notice, queue_notices, regrading_button
from bot.settings import Settings
from storage.models.org import Person, RoleAssignment, Unit
from storage.models.review import ReviewNote, RiskReview

COMMENT_MAX = 500
SCHEDULER_CHANNEL = "scheduler"


class NoteKind(StrEnum):
    """What a line of the review timeline records."""

    COMMENT = "comment"
    AGREE = "agree"
    RETURN = "return"
    DISPUTE = "dispute"
    OVERRIDE = "override"  # a level other than the suggestion, with its reason
    REOPEN = "reopen"


@dataclass(frozen=True)
class ReviewConfig:
    """The knobs the review needs, read once from settings."""

    rule: GradingRule
    review_tiers: dict[int, str]
    approval_tiers: dict[int, str]
    social_window: timedelta
    regrading_period: timedelta
    settings: Settings | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewConfig:
        return cls(
            rule=GradingRule.from_settings(settings),
            review_tiers=dict(settings.review_tier_by_level),
            approval_tiers=dict(settings.approval_tier_by_level),
            social_window=timedelta(days=settings.social_review_days),
            regrading_period=timedelta(days=settings.regrading_period_days),
            settings=settings,
        )


@dataclass
class Situation:
    """A risk point with everything authority and routing depend on, loaded once."""

    risk: Any  # the register's RiskPoint
    review: RiskReview
    chain: list[UnitRef]
    unit_id: int
    track: Track
    grade: Grade | None
    review_route: Route
    approval_route: Route
    holder_ids: frozenset[int]
    notices: list[Notice] = field(default_factory=list)

    @property
    def state(self) -> RiskState:
        return RiskState(subject.status(self.risk))

    @property
    def level_for_review(self) -> int:
        """The level graded review is routed by: the suggestion."""
        if self.review.suggested_level:
            return self.review.suggested_level
        return self.grade.level if self.grade else 3

    @property
    def level_for_approval(self) -> int:
        """Approval is routed by what graded review settled on (the suggestion otherwise)."""
        return self.review.reviewed_level or self.level_for_review


# --- loading ----------------------------------------------------------------------------


async def unit_chain(session: AsyncSession, unit_id: int) -> list[UnitRef]:
    """The unit and its ancestors, bottom up (a short walk: the tree is three levels)."""
    chain: list[UnitRef] = []
    current: int | None = unit_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        unit = await session.get(Unit, current)
        if unit is None:
            break
        chain.append(UnitRef(unit.id, unit.kind))
        current = unit.parent_id
    return chain


async def reviewer_units(session: AsyncSession) -> set[int]:
    """Units with at least one active reviewer scoped to them."""
    rows = await session.scalars(
        select(RoleAssignment.unit_id)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.role == Role.REVIEWER.value,
            RoleAssignment.unit_id.is_not(None),
            Person.active.is_(True),
        )
        .distinct()
    )
    return {unit_id for unit_id in rows if unit_id is not None}


def reviewer_scopes(person: Person) -> set[int]:
    """The unit ids a person reviews (their reviewer role assignments)."""
    return {
        a.unit_id
        for a in person.role_assignments
        if a.role == Role.REVIEWER.value and a.unit_id is not None
    }


async def review_row(session: AsyncSession, risk_id: int) -> RiskReview:
    """The risk's review bookkeeping, created on first need."""
    row = await session.get(RiskReview, risk_id)
    if row is None:
        row = RiskReview(risk_id=risk_id, version=0)
        session.add(row)
        await session.flush()
    return row


def grade_of(risk: Any, config: ReviewConfig) -> Grade | None:
    """The rule's grade for the risk's factors (None while factors are incomplete)."""
    values = subject.factors(risk)
    if values is None:
        return None
    return grade_risk(Factors.from_mapping(values), config.rule, focus=subject.is_focus(risk))


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
    sit.review_route = route_for_level(sit.level_for_review, config.review_tiers, chain, scopes)
    sit.approval_route = route_for_level(
        sit.level_for_approval, config.approval_tiers, chain, scopes
    )
    return sit


# --- who is who -------------------------------------------------------------------------


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


# --- the one write path -----------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What a person asks: a move, with what it needs."""

    action: Action
    comment: str | None = None
    level: int | None = None  # pass_review / approve: the level set (None keeps the suggestion)
    expected_version: int | None = None  # from the card; None when not from a card


async def transition(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    actor: Person | None,
    risk_id: int,
    decision: Decision,
    channel: str = "bot",
) -> Situation:
    """Take one move on one risk, or refuse with a `ServiceError` and change nothing."""
    sit = await situation(session, config, risk_id)
    if decision.expected_version is not None and decision.expected_version != sit.review.version:
        raise ServiceError("review.stale_card")
    comment = _clean_comment(decision.comment)
    kinds = actors_for(actor, sit)
    row = check(sit.state, decision.action, kinds, track=sit.track, comment=comment)
    before = _snapshot(sit)
    source = sit.state
    await _apply(session, clock, config, sit, actor, decision, comment, kinds)
    if row.target != source or decision.action not in (Action.COMMENT, Action.AGREE):
        subject.set_status(sit.risk, row.target.value)
    sit.review.version += 1
    audit.record(
        session,
        clock,
        actor=actor,
        channel=SCHEDULER_CHANNEL if actor is None else channel,
        action=f"risk.{decision.action.value}",
        entity=sit.risk,
        before=before,
        after=_snapshot(sit) | ({"comment": comment} if comment else {}),
    )
    # Some moves carry the record on at once (a submission opens social review).
    follow = _follow_up(sit, config)
    if follow is not None:
        await _chain(session, clock, config, sit, follow)
    await queue_notices(session, clock, sit.notices, config.settings)
    await session.flush()
    return sit


def _clean_comment(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise ServiceError("review.comment_too_long", limit=COMMENT_MAX)
    return text or None


def _snapshot(sit: Situation) -> dict[str, Any]:
    return {
        "status": subject.status(sit.risk),
        "suggested_level": sit.review.suggested_level,
        "reviewed_level": sit.review.reviewed_level,
        "final_level": sit.review.final_level,
        "level_reason": sit.review.level_reason,
    }


def _note(
    session: AsyncSession,
    clock: Clock,
    sit: Situation,
    author: Person | None,
    kind: NoteKind,
    text: str | None,
) -> None:
    session.add(
        ReviewNote(
            risk_id=sit.risk.id,
            author_id=author.id if author else None,
            kind=kind.value,
            state=subject.status(sit.risk),
            text=text,
            at=clock.now(),
        )
    )


def _ensure_suggestion(sit: Situation) -> None:
    """Records that reached a decision without `enter_review` (leadership records go
    集体议 → 自己审 → 常委定) still carry the rule's suggestion, so a decision is measured
    against it instead of a default."""
    if sit.review.suggested_level is None and sit.grade is not None:
        sit.review.suggested_level = sit.grade.level
        sit.review.suggested_score = sit.grade.score_text


def _suggest(sit: Situation, config: ReviewConfig) -> None:
    """Record the rule's suggestion as the record enters review (factors may have changed)."""
    sit.grade = grade_of(sit.risk, config)
    if sit.grade is None:
        raise ServiceError("review.factors_missing")
    sit.review.suggested_level = sit.grade.level
    sit.review.suggested_score = sit.grade.score_text
    sit.review.reviewed_level = None
    sit.review.reviewed_reason = None
    subject.set_suggested_level(sit.risk, sit.grade.level)


async def _apply(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    sit: Situation,
    actor: Person | None,
    decision: Decision,
    comment: str | None,
    kinds: set[Actor],
) -> None:
    now = clock.now()
    action = decision.action
    review = sit.review
    if action in (Action.SUBMIT, Action.RESUBMIT, Action.REVISE, Action.SELF_CONFIRM):
        _suggest(sit, config)
        await _reroute(session, config, sit)
    if action is Action.OPEN_SOCIAL:
        review.social_opened_at = now
        review.social_closes_at = now + config.social_window
        sit.notices.extend(await _colleague_notices(session, sit, "review.notice.social_open"))
    elif action is Action.COMMENT:
        if comment is None:
            raise ServiceError("workflow.comment_required")
        _note(session, clock, sit, actor, NoteKind.COMMENT, comment)
        sit.notices.append(_to_holder(sit, "review.notice.comment", comment=comment))
        sit.notices.extend(
            await _route_notices(
                session, sit, sit.review_route, "review.notice.comment_reviewer", comment=comment
            )
        )
    elif action is Action.AGREE:
        if await _has_agreed(session, sit, actor):
            raise ServiceError("review.already_agreed")
        _note(session, clock, sit, actor, NoteKind.AGREE, None)
    elif action is Action.CLOSE_SOCIAL:
        review.social_closes_at = min(review.social_closes_at or now, now)
        sit.notices.extend(
            await _route_notices(session, sit, sit.review_route, "review.notice.to_review")
        )
    elif action is Action.SKIP_SOCIAL:
        sit.notices.extend(
            await _route_notices(session, sit, sit.review_route, "review.notice.to_review")
        )
    elif action is Action.PASS_REVIEW:
        _ensure_suggestion(sit)
        level = decision.level or review.suggested_level or 3
        if level != review.suggested_level and comment is None:
            raise ServiceError("review.level_reason_required")
        review.reviewed_level = level
        review.reviewed_reason = comment if level != review.suggested_level else None
        if review.reviewed_reason:
            _note(session, clock, sit, actor, NoteKind.OVERRIDE, comment)
        await _reroute(session, config, sit)
        sit.notices.extend(
            await _route_notices(session, sit, sit.approval_route, "review.notice.to_approval")
        )
    elif action is Action.APPROVE:
        _ensure_suggestion(sit)
        suggested = review.suggested_level or 3
        level = decision.level or review.reviewed_level or suggested
        reason = comment
        if level != suggested and reason is None:
            # Keeping graded review's level keeps its reason; any other change needs one.
            if level == review.reviewed_level and review.reviewed_reason:
                reason = review.reviewed_reason
            else:
                raise ServiceError("review.level_reason_required")
        review.final_level = level
        review.level_reason = reason if level != suggested else None
        if reason and level != suggested and reason != review.reviewed_reason:
            _note(session, clock, sit, actor, NoteKind.OVERRIDE, reason)
        review.approved_by_id = actor.id if actor else None
        review.approved_at = now
        subject.set_final_level(sit.risk, level)
        sit.notices.append(_to_holder(sit, "review.notice.approved", level=level))
    elif action is Action.RETURN:
        review.returned_from = sit.state.value
        _note(session, clock, sit, actor, NoteKind.RETURN, comment)
        sit.notices.append(_to_holder(sit, "review.notice.returned", comment=comment or ""))
    elif action is Action.DISPUTE:
        _note(session, clock, sit, actor, NoteKind.DISPUTE, comment)
    elif action is Action.REPROPOSE:
        _note(session, clock, sit, actor, NoteKind.COMMENT, comment)
        sit.notices.append(_to_holder(sit, "review.notice.reproposed", comment=comment or ""))
    elif action is Action.PUBLICISE:
        review.publicised_at = now
        review.regrading_due_at = now + config.regrading_period
        subject.set_regrade_due(sit.risk, review.regrading_due_at)
    elif action in (Action.REGRADING_DUE, Action.REOPEN):
        if comment:
            _note(session, clock, sit, actor, NoteKind.REOPEN, comment)
        key = "review.notice.reopened" if action is Action.REOPEN else "review.notice.regrading"
        notice = _to_holder(sit, key, comment=comment or "")
        sit.notices.append(replace(notice, button=regrading_button(sit.risk.id)))
    elif (
        action is Action.RESUBMIT and sit.state is RiskState.REGRADING_DUE
    ) or action is Action.REVISE:
        sit.notices.extend(
            await _route_notices(session, sit, sit.review_route, "review.notice.to_review")
        )
    elif action is Action.SELF_CONFIRM:
        sit.notices.extend(await _commission_notices(session, "review.notice.to_committee"))
    del kinds  # authority was settled by check(); kept in the signature for clarity


def _follow_up(sit: Situation, config: ReviewConfig) -> Action | None:
    """The automatic next move after this one, if any."""
    if sit.state is not RiskState.SUBMITTED:
        return None
    # Social review is held once: a record returned from a later step skips it.
    returned_later = sit.review.returned_from not in (None, RiskState.SOCIAL_REVIEW.value)
    if config.social_window <= timedelta(0) or returned_later:
        return Action.SKIP_SOCIAL
    return Action.OPEN_SOCIAL


async def _chain(
    session: AsyncSession, clock: Clock, config: ReviewConfig, sit: Situation, action: Action
) -> None:
    before = _snapshot(sit)
    row = check(sit.state, action, {Actor.SCHEDULER}, track=sit.track)
    await _apply(session, clock, config, sit, None, Decision(action), None, {Actor.SCHEDULER})
    subject.set_status(sit.risk, row.target.value)
    sit.review.version += 1
    audit.record(
        session,
        clock,
        actor=None,
        channel=SCHEDULER_CHANNEL,
        action=f"risk.{action.value}",
        entity=sit.risk,
        before=before,
        after=_snapshot(sit),
    )


async def _reroute(session: AsyncSession, config: ReviewConfig, sit: Situation) -> None:
    scopes = await reviewer_units(session)
    sit.review_route = route_for_level(
        sit.level_for_review, config.review_tiers, sit.chain, scopes
    )
    sit.approval_route = route_for_level(
        sit.level_for_approval, config.approval_tiers, sit.chain, scopes
    )


async def _has_agreed(session: AsyncSession, sit: Situation, person: Person | None) -> bool:
    if person is None:
        return False
    count = await session.scalar(
        select(func.count())
        .select_from(ReviewNote)
        .where(
            ReviewNote.risk_id == sit.risk.id,
            ReviewNote.author_id == person.id,
            ReviewNote.kind == NoteKind.AGREE.value,
            ReviewNote.state == RiskState.SOCIAL_REVIEW.value,
            ReviewNote.at >= (sit.review.social_opened_at or datetime.min),
        )
    )
    return bool(count)


# --- notices ------------------------------------------------------------------------------


def _to_holder(sit: Situation, key: str, **values: Any) -> Notice:
    return Notice(
        person_ids=tuple(sorted(sit.holder_ids)),
        key=key,
        values={"risk_id": sit.risk.id, "title": subject.title(sit.risk), **values},
    )


async def people_for_route(session: AsyncSession, route: Route) -> list[Person]:
    """The people who act on a routed step: the unit's reviewers, or the commission."""
    if route.is_commission:
        query = select(Person).join(RoleAssignment).where(RoleAssignment.role == Role.ADMIN.value)
    else:
        query = (
            select(Person)
            .join(RoleAssignment)
            .where(
                RoleAssignment.role == Role.REVIEWER.value,
                RoleAssignment.unit_id == route.unit_id,
            )
        )
    rows = await session.scalars(query.where(Person.active.is_(True)).order_by(Person.id))
    return list(rows.unique())


async def _route_notices(
    session: AsyncSession, sit: Situation, route: Route, key: str, **values: Any
) -> list[Notice]:
    people = [p for p in await people_for_route(session, route) if p.id not in sit.holder_ids]
    if not people:
        return []
    return [
        Notice(
            person_ids=tuple(p.id for p in people),
            key=key,
            values={"risk_id": sit.risk.id, "title": subject.title(sit.risk), **values},
        )
    ]


async def _commission_notices(session: AsyncSession, key: str) -> list[Notice]:
    people = await people_for_route(session, Route(Tier.COMMISSION))
    return [Notice(person_ids=tuple(p.id for p in people), key=key, values={})] if people else []


async def _colleague_notices(session: AsyncSession, sit: Situation, key: str) -> list[Notice]:
    rows = await session.scalars(
        select(Person.id).where(
            Person.unit_id == sit.unit_id,
            Person.active.is_(True),
            Person.id.not_in(sit.holder_ids or {0}),
        )
    )
    ids = tuple(rows)
    if not ids:
        return []
    return [
        Notice(
            person_ids=ids,
            key=key,
            values={"risk_id": sit.risk.id, "title": subject.title(sit.risk)},
        )
    ]


# --- entry points for other features and the scheduler ------------------------------------


async def enter_review(
    session: AsyncSession, clock: Clock, config: ReviewConfig, *, risk_id: int
) -> Situation:
    """A freshly submitted record starts its review (the register's submit calls this)."""
    sit = await situation(session, config, risk_id)
    if sit.state is not RiskState.SUBMITTED:
        return sit
    if sit.grade is not None and sit.review.suggested_level is None:
        _suggest(sit, config)
        await _reroute(session, config, sit)
    follow = _follow_up(sit, config)
    if follow is not None:
        await _chain(session, clock, config, sit, follow)
    await queue_notices(session, clock, sit.notices, config.settings)
    await session.flush()
    return sit


async def close_due_social_reviews(
    session: AsyncSession, clock: Clock, config: ReviewConfig, now: datetime | None = None
) -> list[int]:
    """Close every social review whose window has passed; safe to run any number of times."""
    now = now or clock.now()
    ids = await subject.ids_in_state(session, RiskState.SOCIAL_REVIEW.value)
    closed: list[int] = []
    for risk_id in ids:
        review = await session.get(RiskReview, risk_id)
        if review is None or review.social_closes_at is None or review.social_closes_at > now:
            continue
        await transition(
            session,
            clock,
            config,
            actor=None,
            risk_id=risk_id,
            decision=Decision(Action.CLOSE_SOCIAL),
        )
        closed.append(risk_id)
    return closed


async def open_submitted(session: AsyncSession, clock: Clock, config: ReviewConfig) -> list[int]:
    """Safety net: any record left in `submitted` (a submit whose follow-up was missed)."""
    ids = await subject.ids_in_state(session, RiskState.SUBMITTED.value)
    for risk_id in ids:
        await enter_review(session, clock, config, risk_id=risk_id)
    return list(ids)


async def mark_regrading_due(
    session: AsyncSession, clock: Clock, config: ReviewConfig, now: datetime | None = None
) -> list[int]:
    """Active risks whose period is up become `regrading_due`; idempotent."""
    now = now or clock.now()
    ids = await subject.ids_in_state(session, RiskState.PUBLICISED.value)
    marked: list[int] = []
    for risk_id in ids:
        review = await session.get(RiskReview, risk_id)
        due = review.regrading_due_at if review else None
        if due is None or due > now:
            continue
        await transition(
            session,
            clock,
            config,
            actor=None,
            risk_id=risk_id,
            decision=Decision(Action.REGRADING_DUE),
        )
        marked.append(risk_id)
    return marked


async def mark_publicised(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    *,
    risk_ids: Sequence[int],
    actor: Person | None = None,
) -> list[int]:
    """The publicity round announced these approved risks: they become active (生效).

    For the publicity issue. Idempotent: risks already publicised are skipped, not refused.
    """
    done: list[int] = []
    for risk_id in risk_ids:
        sit = await situation(session, config, risk_id)
        if sit.state is not RiskState.APPROVED:
            continue
        await transition(
            session,
            clock,
            config,
            actor=actor,
            risk_id=risk_id,
            decision=Decision(Action.PUBLICISE),
            channel="bot" if actor else SCHEDULER_CHANNEL,
        )
        done.append(risk_id)
    return done


def require_person(person: Person | None) -> Person:
    if person is None:
        raise NotAllowed()
    return person


# --- the reviewer's inbox and the colleague's list ------------------------------------------


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
        if scope is None:
            continue
        rows = await session.scalars(
            select(Unit.id).where(
                (Unit.id == scope.id) | Unit.path.startswith(scope.path + "/", autoescape=True)
            )
        )
        ids.update(rows)
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
    return list(
        await session.scalars(
            select(ReviewNote).where(ReviewNote.risk_id == risk_id).order_by(ReviewNote.id)
        )
    )


async def history(session: AsyncSession, config: ReviewConfig, person: Person, risk_id: int):
    """The audit trail of a risk point, for those who may see it."""
    from storage.models.audit import AuditLog

    sit = await situation(session, config, risk_id)
    if not can_see(person, sit):
        raise NotAllowed()
    return list(
        await session.scalars(
            select(AuditLog)
            .where(
                AuditLog.entity_type == type(sit.risk).__tablename__,
                AuditLog.entity_id == risk_id,
            )
            .order_by(AuditLog.id)
        )
    )
