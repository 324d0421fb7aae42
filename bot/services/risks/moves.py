"""The holder's own moves of a record (submit, withdraw, the leadership steps): each goes
through the review's one write path, `review.transition()`, which checks the workflow table,
applies the move's declared effects and audits it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import DESCRIPTION_MAX
from bot.domain.risk_workflow import Action
from bot.services import review
from bot.services.powers import text_or_refuse
from bot.services.risks.common import holders_risk, today_of
from bot.settings import Settings
from storage.models.org import Person
from storage.models.register import RiskPoint


async def move_risk(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    actor: Person,
    risk: RiskPoint,
    action: Action,
    *,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> review.Situation:
    """One move of `risk` by `actor`, through `review.transition()`."""
    return await review.transition(
        session,
        clock,
        review.ReviewConfig.from_settings(settings),
        actor=actor,
        risk_id=risk.id,
        decision=review.Decision(action, comment=comment, details=details or {}),
    )


async def record_discussion(
    session: AsyncSession,
    clock: Clock,
    *,
    actor: Person,
    risk_id: int,
    held_on: date,
    summary: str,
    settings: Settings,
) -> RiskPoint:
    """集体议: the collective discussion's date and summary; next is the self-review."""
    risk = await holders_risk(session, actor, risk_id)
    text = text_or_refuse(summary, DESCRIPTION_MAX)
    if held_on > today_of(clock, settings):
        raise ServiceError("register.date_future")
    details = {"held_on": held_on, "summary": text}
    await move_risk(
        session, clock, settings, actor, risk, Action.RECORD_DISCUSSION, details=details
    )
    return risk


async def holders_move(
    session: AsyncSession,
    clock: Clock,
    action: Action,
    *,
    actor: Person,
    risk_id: int,
    settings: Settings,
) -> RiskPoint:
    """A move the holder takes on their own record with nothing more to say."""
    risk = await holders_risk(session, actor, risk_id)
    await move_risk(session, clock, settings, actor, risk, action)
    return risk


async def confirm_self_review(session: AsyncSession, clock: Clock, **who: Any) -> RiskPoint:
    """自己审: the leader confirms the record; it goes to the commission (常委定).
    `who`: actor, risk_id, settings (as `holders_move`)."""
    return await holders_move(session, clock, Action.SELF_CONFIRM, **who)


async def withdraw_risk(session: AsyncSession, clock: Clock, **who: Any) -> RiskPoint:
    """The holder withdraws a record any time before approval (`who` as `holders_move`)."""
    return await holders_move(session, clock, Action.WITHDRAW, **who)
