"""Declaring risk points: bottom-up (the holder, 五步工作法) and top-down (a reviewer's
proposal the holder confirms or disputes, 自上而下).

确定风险点 → 制定防范措施 → 落实责任主体 happen in one declaration: the risk, all its measures,
its submission and the start of its review are one transaction (the caller's), or nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.register_rules import COMMENT_MAX
from bot.domain.risk_workflow import Action, IllegalTransition, RiskState
from bot.domain.roles import Role
from bot.i18n import N_
from bot.services import audit
from bot.services.powers import text_or_refuse
from bot.services.register_access import (
    is_active_staff,
    may_review_unit,
    require_post,
    tell_holders,
)
from bot.services.review_subject import SNAPSHOT_FIELDS, snapshot
from bot.services.risks.common import (
    MeasureDraft,
    RiskDraft,
    build_measures,
    check_identity,
    holders_risk,
    measure_snapshot,
    post_of,
    post_or_refuse,
    validated_factors,
)
from bot.services.risks.moves import move_risk
from bot.settings import Settings
from storage.models.org import Person, Post
from storage.models.register import Origin, RiskPoint
from storage.repositories import risks as risks_repo


async def declare_risk(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    draft: RiskDraft,
    settings: Settings,
) -> RiskPoint:
    """Declare a risk point of the actor's post with its measures, and submit it.

    All or nothing: one bad measure refuses the whole declaration. An ordinary post's record
    goes on to its review at once (social review, or graded review); a leadership post's goes
    to collective discussion (集体议). A draft with a `key` already declared returns the record
    declared from it, unchanged (a unique index on creator and key holds under races too).
    """
    if draft.key:
        earlier = await risks_repo.declared_from(session, actor.id, draft.key)
        if earlier is not None:  # the same draft again (a retry after a crash): nothing new
            return earlier
    post = await post_or_refuse(session, require_post(actor))
    text = await check_identity(
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
        draft_key=draft.key,
        created_at=now,
        updated_at=now,
        measures=measures,
        **factors.as_dict(),
    )
    await audit.record_new(
        session, clock, risk, actor=actor, action="risk.declare", fields=SNAPSHOT_FIELDS,
        extra={"measures": [measure_snapshot(m) for m in measures]},
    )  # fmt: skip
    await move_risk(session, clock, settings, actor, risk, Action.SUBMIT)
    return risk


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
    settings: Settings,
) -> RiskPoint:
    """A reviewer proposes a risk point for a post of their units; its holders are told."""
    post = await session.get(Post, post_id)
    if post is None or not await may_review_unit(session, actor, post.unit_id):
        raise NotAllowed()
    if not actor.has_role(Role.REVIEWER, Role.ADMIN):
        raise NotAllowed()
    text = await check_identity(session, post, description, risk_type, power_id, focus_programme)
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
    await audit.record_new(
        session, clock, risk, actor=actor, action="risk.propose", fields=SNAPSHOT_FIELDS
    )
    await tell_holders(
        session, post.id, N_("register.notice.proposed"), clock=clock, settings=settings,
        skip=actor, description=text,
    )  # fmt: skip
    return risk


async def proposals_for(session: AsyncSession, person: Person) -> list[RiskPoint]:
    """Proposals waiting for this person's answer (their post's)."""
    if not is_active_staff(person) or person.post_id is None:
        return []
    return await risks_repo.in_state_on_post(session, person.post_id, RiskState.PROPOSED.value)


async def answer_proposal(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    accept: bool,
    reason: str | None = None,
    settings: Settings,
) -> RiskPoint:
    """The holder confirms a proposal (it becomes their draft) or disputes it with a reason.

    Either way the proposing reviewer is told.
    """
    risk = await session.get(RiskPoint, risk_id)
    if risk is None or not is_active_staff(actor) or actor.post_id != risk.post_id:
        raise ServiceError("register.not_found")
    text = None if accept else text_or_refuse(reason, COMMENT_MAX)
    action = Action.CONFIRM_PROPOSAL if accept else Action.DISPUTE
    await move_risk(session, clock, settings, actor, risk, action, comment=text)
    return risk


async def complete_draft(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    factors: dict[str, int],
    measures: list[MeasureDraft],
    settings: Settings,
) -> RiskPoint:
    """The holder assesses a confirmed proposal (a draft), adds its measures and submits it."""
    risk = await holders_risk(session, actor, risk_id)
    if risk.status != RiskState.DRAFT.value:
        raise IllegalTransition(RiskState(risk.status), Action.SUBMIT)
    post = await post_of(session, risk)
    checked = validated_factors(factors)
    built = await build_measures(session, clock, settings, post, actor, measures)
    before = snapshot(risk)
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
        after=snapshot(risk) | {"measures": [measure_snapshot(m) for m in built]},
    )
    await move_risk(session, clock, settings, actor, risk, Action.SUBMIT)
    return risk
