"""Risk points and their control measures: the five-step method (五步工作法) as services.

确定风险点 → 制定防范措施 → 落实责任主体 happen in one declaration (`declare_risk`, one
transaction: the risk and all its measures or nothing); 实施考核监督 / 进行反馈完善 are the
measure reports (`report_measure`) and overdue checks. Top-down proposals (自上而下) and the
leadership three-step method (三步工作法: 集体议 → 自己审 → 常委定) are here too.

State moves are checked against the one table in `bot.domain.risk_workflow`; the review that
follows
submission (social review, graded review, approval) belongs to `bot.services.review`, which
picks records up in state ``submitted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.grading import FACTORS, Factors, GradingRule, suggested_level
from bot.domain.register_rules import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    MEASURE_MAX,
    NOTE_MAX,
    RISK_TYPES,
    DateRefused,
    check_deadline,
    is_overdue,
    local_today,
)
from bot.domain.risk_workflow import HOLDER_STATES, Action, Actor, RiskState, check, track_for
from bot.domain.roles import Role
from bot.services import audit, review
from bot.services.powers import text_or_refuse
from bot.services.register_access import (
    commission,
    is_active_staff,
    may_review_unit,
    may_see_unit,
    people_on_post,
    require_post,
    tell,
    unit_chain_ids,
)
from bot.services.rules_register import focus_programmes
from bot.settings import Settings
from storage.models.org import Person, Post
from storage.models.register import (
    ControlMeasure,
    MeasureReport,
    MeasureStatus,
    Origin,
    Power,
    PowerStatus,
    RiskPoint,
    Rule,
)

MEASURES_MAX = 20  # per risk point: more is a sign of pasting a whole regulation
_RISK_FIELDS = (
    "post_id",
    "power_id",
    "description",
    "risk_type",
    "focus_programme",
    *(f.value for f in FACTORS),
    "suggested_level",
    "status",
    "discussion_date",
    "discussion_summary",
    "self_reviewed_at",
    "dispute_reason",
)
_MEASURE_FIELDS = ("action", "responsible_id", "responsible_name", "deadline", "status", "rule_id")
# Fields the holder may change before approval, with how each is checked.
EDITABLE = ("description", "risk_type", "focus_programme")
# Before approval the holder may still change the record (submitted: not yet taken up).
EDITABLE_STATES = frozenset({*HOLDER_STATES, RiskState.SUBMITTED})


@dataclass(frozen=True)
class MeasureDraft:
    """One measure as the declarant gave it."""

    action: str
    deadline: date
    responsible_id: int | None = None  # None: the declarant
    rule_id: int | None = None


@dataclass(frozen=True)
class RiskDraft:
    """Everything a declaration collects before it is saved."""

    description: str
    risk_type: str
    factors: dict[str, int]
    measures: Sequence[MeasureDraft] = field(default_factory=tuple)
    power_id: int | None = None
    focus_programme: str | None = None


def rule_of(settings: Settings | None) -> GradingRule:
    return GradingRule.from_settings(settings) if settings else GradingRule.default()


def today_of(clock: Clock, settings: Settings | None) -> date:
    return local_today(clock.now(), settings.timezone if settings else "Asia/Shanghai")


# --- authority ------------------------------------------------------------------------------


def is_holder(person: Person, risk: RiskPoint) -> bool:
    """The post's holder, or the declarant (who may have moved post since)."""
    if not is_active_staff(person):
        return False
    return person.post_id == risk.post_id or (
        risk.created_by_id is not None and risk.created_by_id == person.id
    )


async def get_visible(session: AsyncSession, viewer: Person, risk_id: int) -> RiskPoint:
    """A risk the viewer may read; another unit's risk reads as missing (no hint it exists)."""
    risk = await session.get(RiskPoint, risk_id)
    if risk is None:
        raise ServiceError("register.not_found")
    post = await session.get(Post, risk.post_id)
    if post is None or not (
        is_holder(viewer, risk) or await may_see_unit(session, viewer, post.unit_id)
    ):
        raise ServiceError("register.not_found")
    return risk


async def _holders_risk(session: AsyncSession, actor: Person, risk_id: int) -> RiskPoint:
    risk = await session.get(RiskPoint, risk_id)
    if risk is None or not is_holder(actor, risk):
        raise ServiceError("register.not_found")
    return risk


async def _post_of(session: AsyncSession, risk: RiskPoint) -> Post:
    post = await session.get(Post, risk.post_id)
    if post is None:  # pragma: no cover - a foreign key guarantees it
        raise ServiceError("register.not_found")
    return post


# --- validation -----------------------------------------------------------------------------


def validated_factors(values: dict[str, int]) -> Factors:
    try:
        return Factors.from_mapping(values)
    except (TypeError, ValueError):
        raise ServiceError("register.bad_factors") from None


async def _check_power(session: AsyncSession, post: Post, power_id: int | None) -> None:
    if power_id is None:
        return
    power = await session.get(Power, power_id)
    if (
        power is None
        or power.unit_id != post.unit_id
        or power.post_id not in (None, post.id)
        or power.status == PowerStatus.WITHDRAWN.value
    ):
        raise ServiceError("register.bad_power")


async def _check_identity(
    session: AsyncSession,
    post: Post,
    description: str,
    risk_type: str,
    power_id: int | None,
    focus: str | None,
) -> str:
    text = text_or_refuse(description, DESCRIPTION_MAX)
    if risk_type not in RISK_TYPES:
        raise ServiceError("register.bad_risk_type")
    if focus is not None and focus not in await focus_programmes(session):
        raise ServiceError("register.bad_focus")
    await _check_power(session, post, power_id)
    return text


async def responsible_person(
    session: AsyncSession, post: Post, declarant: Person, person_id: int | None
) -> Person:
    """The 责任主体: the declarant, or an active colleague of the post's unit."""
    if person_id is None or person_id == declarant.id:
        return declarant
    person = await session.get(Person, person_id)
    if person is None or not person.active or person.unit_id != post.unit_id:
        raise ServiceError("register.bad_responsible")
    return person


async def rules_in_force(session: AsyncSession, unit_id: int) -> list[Rule]:
    """Rules a unit's measures may cite: its own and its ancestors' (district-wide rules)."""
    chain = await unit_chain_ids(session, unit_id)
    return list(
        await session.scalars(select(Rule).where(Rule.unit_id.in_(chain)).order_by(Rule.id))
    )


async def build_measures(
    session: AsyncSession,
    clock: Clock,
    settings: Settings | None,
    post: Post,
    declarant: Person,
    drafts: Sequence[MeasureDraft],
) -> list[ControlMeasure]:
    if not drafts:
        raise ServiceError("register.measures_missing")
    if len(drafts) > MEASURES_MAX:
        raise ServiceError("register.measures_too_many", limit=MEASURES_MAX)
    allowed_rules = {rule.id for rule in await rules_in_force(session, post.unit_id)}
    today = today_of(clock, settings)
    now = clock.now()
    measures = []
    for draft in drafts:
        action = text_or_refuse(draft.action, MEASURE_MAX)
        try:
            check_deadline(draft.deadline, today)
        except DateRefused as refused:
            raise ServiceError(f"register.date_{refused.reason}") from None
        if draft.rule_id is not None and draft.rule_id not in allowed_rules:
            raise ServiceError("register.bad_rule")
        person = await responsible_person(session, post, declarant, draft.responsible_id)
        measures.append(
            ControlMeasure(
                action=action,
                responsible_id=person.id,
                responsible_name=person.name,
                deadline=draft.deadline,
                status=MeasureStatus.PLANNED.value,
                rule_id=draft.rule_id,
                created_at=now,
                updated_at=now,
            )
        )
    return measures


# --- declaring (bottom-up) ------------------------------------------------------------------


async def declare_risk(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    draft: RiskDraft,
    settings: Settings | None = None,
) -> RiskPoint:
    """Declare a risk point of the actor's post with its measures, and submit it.

    All or nothing: one bad measure refuses the whole declaration. An ordinary post's record
    becomes *submitted* (the review takes it from there); a leadership post's goes to
    collective discussion (集体议).
    """
    post = await _post_or_refuse(session, require_post(actor))
    text = await _check_identity(
        session, post, draft.description, draft.risk_type, draft.power_id, draft.focus_programme
    )
    factors = validated_factors(draft.factors)
    measures = await build_measures(session, clock, settings, post, actor, draft.measures)
    now = clock.now()
    risk = RiskPoint(
        post_id=post.id,
        power_id=draft.power_id,
        description=text,
        risk_type=draft.risk_type,
        focus_programme=draft.focus_programme,
        status=RiskState.DRAFT.value,
        origin=Origin.BOTTOM_UP.value,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        measures=measures,
        **factors.as_dict(),
    )
    session.add(risk)
    await session.flush()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.declare",
        entity=risk,
        after=_risk_snapshot(risk) | {"measures": [_measure_snapshot(m) for m in measures]},
    )
    await _submit(session, clock, settings, actor, risk, post)
    # One transaction: the record, its submission and the start of its review (the caller
    # commits all of it, or nothing).
    await session.flush()
    await _enter_review(session, clock, settings, risk)
    return risk


async def _post_or_refuse(session: AsyncSession, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise ServiceError("register.no_post")
    return post


async def _submit(
    session: AsyncSession,
    clock: Clock,
    settings: Settings | None,
    actor: Person,
    risk: RiskPoint,
    post: Post,
) -> None:
    """draft → submitted (ordinary) or → collective discussion (leadership)."""
    factors = Factors.from_mapping(_factor_values(risk))
    row = check(risk.status, Action.SUBMIT, {Actor.HOLDER}, track=track_for(post.is_leadership))
    before = _risk_snapshot(risk)
    risk.suggested_level = suggested_level(
        factors, rule_of(settings), focus=bool(risk.focus_programme)
    )
    risk.status = row.target.value
    risk.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.submit",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk),
    )


async def _enter_review(
    session: AsyncSession, clock: Clock, settings: Settings | None, risk: RiskPoint
) -> None:
    """A submitted record goes straight on to its review (social review or graded review)."""
    if risk.status != RiskState.SUBMITTED.value:
        return  # leadership: the three steps come first
    config = review.ReviewConfig.from_settings(settings or Settings())
    await review.enter_review(session, clock, config, risk_id=risk.id)


def _factor_values(risk: RiskPoint) -> dict[str, int]:
    values = {f.value: getattr(risk, f.value) for f in FACTORS}
    if any(value is None for value in values.values()):
        raise ServiceError("register.bad_factors")
    return {name: int(value) for name, value in values.items()}


def _risk_snapshot(risk: RiskPoint) -> dict[str, object]:
    return audit.snapshot(risk, *_RISK_FIELDS)


def _measure_snapshot(measure: ControlMeasure) -> dict[str, object]:
    return audit.snapshot(measure, *_MEASURE_FIELDS)


# --- top-down proposals (自上而下) ---------------------------------------------------------


async def propose_risk(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    post_id: int,
    description: str,
    risk_type: str,
    power_id: int | None = None,
    focus_programme: str | None = None,
    settings: Settings | None = None,
) -> RiskPoint:
    """A reviewer proposes a risk point for a post of their units; its holders are told."""
    post = await session.get(Post, post_id)
    if post is None or not await may_review_unit(session, actor, post.unit_id):
        raise NotAllowed()
    if not actor.has_role(Role.REVIEWER, Role.ADMIN):
        raise NotAllowed()
    text = await _check_identity(session, post, description, risk_type, power_id, focus_programme)
    now = clock.now()
    risk = RiskPoint(
        post_id=post.id,
        power_id=power_id,
        description=text,
        risk_type=risk_type,
        focus_programme=focus_programme,
        status=RiskState.PROPOSED.value,
        origin=Origin.TOP_DOWN.value,
        proposed_by_id=actor.id,
        created_at=now,
        updated_at=now,
        measures=[],
    )
    session.add(risk)
    await session.flush()
    audit.record(
        session, clock, actor=actor, action="risk.propose", entity=risk, after=_risk_snapshot(risk)
    )
    await tell(
        session,
        await people_on_post(session, post.id),
        "register.notice.proposed",
        clock=clock,
        settings=settings,
        skip=actor,
        description=text,
    )
    await session.flush()
    return risk


async def proposals_for(session: AsyncSession, person: Person) -> list[RiskPoint]:
    """Proposals waiting for this person's answer (their post's)."""
    if not is_active_staff(person) or person.post_id is None:
        return []
    return list(
        await session.scalars(
            select(RiskPoint)
            .where(
                RiskPoint.post_id == person.post_id,
                RiskPoint.status == RiskState.PROPOSED.value,
            )
            .order_by(RiskPoint.id)
        )
    )


async def answer_proposal(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    accept: bool,
    reason: str | None = None,
    settings: Settings | None = None,
) -> RiskPoint:
    """The holder confirms a proposal (it becomes their draft) or disputes it with a reason.

    Either way the proposing reviewer is told.
    """
    risk = await session.get(RiskPoint, risk_id)
    if risk is None or not is_active_staff(actor) or actor.post_id != risk.post_id:
        raise ServiceError("register.not_found")
    post = await _post_of(session, risk)
    text = None if accept else text_or_refuse(reason, COMMENT_MAX)
    action = Action.CONFIRM_PROPOSAL if accept else Action.DISPUTE
    row = check(
        risk.status, action, {Actor.HOLDER}, track=track_for(post.is_leadership), comment=text
    )
    before = _risk_snapshot(risk)
    risk.status = row.target.value
    risk.updated_at = clock.now()
    if accept:
        risk.created_by_id = actor.id  # now theirs
    else:
        risk.dispute_reason = text
    audit.record(
        session,
        clock,
        actor=actor,
        action=f"risk.{action.value}",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk) | ({"reason": text} if text else {}),
    )
    proposer = await session.get(Person, risk.proposed_by_id) if risk.proposed_by_id else None
    if proposer is not None:
        await tell(
            session,
            [proposer],
            "register.notice.proposal_confirmed" if accept else "register.notice.disputed",
            clock=clock,
            settings=settings,
            skip=actor,
            description=risk.description,
            name=actor.name,
            reason=text or "",
        )
    await session.flush()
    return risk


async def complete_draft(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    factors: dict[str, int],
    measures: Sequence[MeasureDraft],
    settings: Settings | None = None,
) -> RiskPoint:
    """The holder assesses a confirmed proposal (a draft), adds its measures and submits it."""
    risk = await _holders_risk(session, actor, risk_id)
    if risk.status != RiskState.DRAFT.value:
        raise ServiceError(f"workflow.illegal.{risk.status}")
    post = await _post_of(session, risk)
    checked = validated_factors(factors)
    built = await build_measures(session, clock, settings, post, actor, measures)
    before = _risk_snapshot(risk)
    for name, value in checked.as_dict().items():
        setattr(risk, name, value)
    risk.measures.extend(built)
    await session.flush()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.assess",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk) | {"measures": [_measure_snapshot(m) for m in built]},
    )
    await _submit(session, clock, settings, actor, risk, post)
    # One transaction: the record, its submission and the start of its review (the caller
    # commits all of it, or nothing).
    await session.flush()
    await _enter_review(session, clock, settings, risk)
    return risk


# --- leadership three steps (三步工作法) -----------------------------------------------------


async def record_discussion(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    held_on: date,
    summary: str,
    settings: Settings | None = None,
) -> RiskPoint:
    """集体议: the collective discussion's date and summary; next is the self-review."""
    risk = await _holders_risk(session, actor, risk_id)
    post = await _post_of(session, risk)
    text = text_or_refuse(summary, DESCRIPTION_MAX)
    if held_on > today_of(clock, settings):
        raise ServiceError("register.date_future")
    row = check(
        risk.status, Action.RECORD_DISCUSSION, {Actor.HOLDER}, track=track_for(post.is_leadership)
    )
    before = _risk_snapshot(risk)
    risk.discussion_date = held_on
    risk.discussion_summary = text
    risk.status = row.target.value
    risk.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.record_discussion",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk),
    )
    await session.flush()
    return risk


async def confirm_self_review(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    settings: Settings | None = None,
) -> RiskPoint:
    """自己审: the leader confirms the record; it goes to the commission (常委定)."""
    risk = await _holders_risk(session, actor, risk_id)
    post = await _post_of(session, risk)
    row = check(
        risk.status, Action.SELF_CONFIRM, {Actor.HOLDER}, track=track_for(post.is_leadership)
    )
    before = _risk_snapshot(risk)
    risk.self_reviewed_at = risk.updated_at = clock.now()
    risk.status = row.target.value
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.self_confirm",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk),
    )
    await tell(
        session,
        await commission(session),
        "register.notice.to_committee",
        clock=clock,
        settings=settings,
        skip=actor,
        description=risk.description,
        post=post.name,
    )
    await session.flush()
    return risk


# --- editing and withdrawing before approval -------------------------------------------------


async def edit_risk(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    field: str,
    value: str | None,
    settings: Settings | None = None,
) -> RiskPoint:
    """Change the description, type or focus programme while the record is with its holder."""
    risk = await _holders_risk(session, actor, risk_id)
    if risk.status not in EDITABLE_STATES:
        raise ServiceError("register.risk_locked")
    if field not in EDITABLE:
        raise ServiceError("register.bad_field")
    before = _risk_snapshot(risk)
    if field == "description":
        risk.description = text_or_refuse(value, DESCRIPTION_MAX)
    elif field == "risk_type":
        if value not in RISK_TYPES:
            raise ServiceError("register.bad_risk_type")
        risk.risk_type = value
    else:
        if value is not None and value not in await focus_programmes(session):
            raise ServiceError("register.bad_focus")
        risk.focus_programme = value
    if risk.suggested_level is not None:
        risk.suggested_level = suggested_level(
            _factor_values(risk), rule_of(settings), focus=bool(risk.focus_programme)
        )
    risk.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.edit",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk),
    )
    await session.flush()
    return risk


async def withdraw_risk(
    session: AsyncSession, clock: Clock, *, actor: Person, risk_id: int
) -> RiskPoint:
    """The holder withdraws a record any time before approval."""
    risk = await _holders_risk(session, actor, risk_id)
    post = await _post_of(session, risk)
    row = check(risk.status, Action.WITHDRAW, {Actor.HOLDER}, track=track_for(post.is_leadership))
    before = _risk_snapshot(risk)
    risk.status = row.target.value
    risk.updated_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="risk.withdraw",
        entity=risk,
        before=before,
        after=_risk_snapshot(risk),
    )
    await session.flush()
    return risk


# --- lists ----------------------------------------------------------------------------------


async def risks_of_post(
    session: AsyncSession, viewer: Person, post_id: int, *, offset: int = 0, limit: int = 8
) -> tuple[list[RiskPoint], int]:
    """A post's risk points (withdrawn ones left out), oldest first, for those who may see."""
    post = await session.get(Post, post_id)
    if post is None or not (
        viewer.post_id == post_id or await may_see_unit(session, viewer, post.unit_id)
    ):
        raise ServiceError("register.not_found")
    where = (RiskPoint.post_id == post_id, RiskPoint.status != RiskState.WITHDRAWN.value)
    total = await session.scalar(select(func.count()).select_from(RiskPoint).where(*where)) or 0
    rows = await session.scalars(
        select(RiskPoint).where(*where).order_by(RiskPoint.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


async def colleagues(
    session: AsyncSession, unit_id: int, *, offset: int = 0, limit: int = 8
) -> tuple[list[Person], int]:
    """Active staff of a unit, by name: who may be made responsible for a measure."""
    where = (Person.unit_id == unit_id, Person.active.is_(True))
    total = await session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
    rows = await session.scalars(
        select(Person).where(*where).order_by(Person.name, Person.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


# --- measures: execution reports and overdue ----------------------------------------------------


async def report_measure(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    measure_id: int,
    status: str,
    note: str,
    settings: Settings | None = None,
) -> ControlMeasure:
    """The responsible person (or the risk's holder) reports done / in progress / blocked."""
    measure = await session.get(ControlMeasure, measure_id)
    if measure is None:
        raise ServiceError("register.not_found")
    risk = await session.get(RiskPoint, measure.risk_id)
    allowed = actor.active and (
        measure.responsible_id == actor.id or (risk is not None and is_holder(actor, risk))
    )
    if not allowed:
        raise ServiceError("register.not_found")
    if status not in (
        MeasureStatus.IN_PROGRESS.value,
        MeasureStatus.DONE.value,
        MeasureStatus.BLOCKED.value,
    ):
        raise ServiceError("register.bad_measure_status")
    text = text_or_refuse(note, NOTE_MAX)
    before = _measure_snapshot(measure)
    measure.status = status
    measure.updated_at = clock.now()
    report = MeasureReport(
        measure_id=measure.id, reporter_id=actor.id, status=status, note=text, at=clock.now()
    )
    session.add(report)
    audit.record(
        session,
        clock,
        actor=actor,
        action="measure.report",
        entity=measure,
        before=before,
        after=_measure_snapshot(measure) | {"note": text},
    )
    if status == MeasureStatus.BLOCKED.value and risk is not None:
        # A blocked measure needs someone to act: the holders hear of it.
        await tell(
            session,
            await people_on_post(session, risk.post_id),
            "register.notice.measure_blocked",
            clock=clock,
            settings=settings,
            skip=actor,
            action=measure.action,
            note=text,
        )
    await session.flush()
    return measure


async def measures_of(
    session: AsyncSession, person: Person, *, offset: int = 0, limit: int = 8
) -> tuple[list[ControlMeasure], int]:
    """Measures a person answers for or whose risk they hold (not of withdrawn risks)."""
    where = [RiskPoint.status != RiskState.WITHDRAWN.value]
    mine = ControlMeasure.responsible_id == person.id
    if person.post_id is not None and is_active_staff(person):
        mine = mine | (RiskPoint.post_id == person.post_id)
    where.append(mine)
    base = select(ControlMeasure).join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
    total = (
        await session.scalar(
            select(func.count())
            .select_from(ControlMeasure)
            .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
            .where(*where)
        )
        or 0
    )
    rows = await session.scalars(
        base.where(*where)
        .order_by(ControlMeasure.deadline, ControlMeasure.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


async def overdue_measures(
    session: AsyncSession, today: date, *, unit_ids: Sequence[int] | None = None
) -> list[ControlMeasure]:
    """Measures not done whose deadline has passed, of risks still pursued."""
    query = (
        select(ControlMeasure)
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .where(
            ControlMeasure.deadline < today,
            ControlMeasure.status != MeasureStatus.DONE.value,
            RiskPoint.status.not_in([RiskState.WITHDRAWN.value, RiskState.PROPOSED.value]),
        )
        .order_by(ControlMeasure.deadline, ControlMeasure.id)
    )
    if unit_ids is not None:
        query = query.join(Post, Post.id == RiskPoint.post_id).where(Post.unit_id.in_(unit_ids))
    rows = list(await session.scalars(query))
    return [m for m in rows if is_overdue(m.deadline, m.status, today)]
