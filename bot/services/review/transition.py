"""The one write path of a risk point's state: `move()`, and `transition()` around it.

`move()` checks the workflow table, runs the effects declared for the move
(`bot.services.review.effects`), sets the state, bumps the card version and writes the audit
row; nothing else assigns a risk's status (a test walks the code to keep it so).
`transition()` is what people and the scheduler call: load, refuse a stale card, move, carry
the record on where the method does so at once (a submission opens social review), and
queue the notices, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.risk_workflow import Action, RiskState, Transition, check
from bot.domain.text_length import is_blank, utf16_len
from bot.services import audit
from bot.services import review_subject as subject
from bot.services.review.effects import Step, effects_of, regrade
from bot.services.review.model import (
    COMMENT_MAX,
    SCHEDULER_CHANNEL,
    Decision,
    ReviewConfig,
    Situation,
)
from bot.services.review.notices import queue_notices
from bot.services.review.situation import actors_for, situation
from storage.models.org import Person
from storage.models.review import RiskReview
from storage.repositories import review as review_repo


def _clean_comment(text: str | None) -> str | None:
    text = "" if is_blank(text) else (text or "").strip()
    if utf16_len(text) > COMMENT_MAX:
        raise ServiceError("review.comment_too_long", limit=COMMENT_MAX)
    return text or None


def snapshot(sit: Situation) -> dict[str, Any]:
    """The record as the audit trail keeps it: its register fields and its review levels."""
    return subject.snapshot(sit.risk) | {
        "suggested_level": sit.review.suggested_level,
        "reviewed_level": sit.review.reviewed_level,
        "final_level": sit.review.final_level,
        "level_reason": sit.review.level_reason,
    }


async def move(
    session: AsyncSession,
    clock: Clock,
    config: ReviewConfig,
    sit: Situation,
    *,
    actor: Person | None,
    decision: Decision,
    channel: str = "bot",
) -> Transition:
    """Check one move against the table, apply its effects, set the state, audit it."""
    comment = _clean_comment(decision.comment)
    kinds = actors_for(actor, sit)
    row = check(sit.state, decision.action, kinds, track=sit.track, comment=comment)
    before = snapshot(sit)
    step = Step(session, clock, config, sit, actor, decision, comment)
    for effect in effects_of(decision.action, sit.track):
        await effect(step)
    sit.risk.status = row.target.value  # the one place a risk's state is written
    sit.review.version += 1
    audit.record(
        session,
        clock,
        actor=actor,
        channel=SCHEDULER_CHANNEL if actor is None else channel,
        action=f"risk.{decision.action.value}",
        entity=sit.risk,
        before=before,
        after=snapshot(sit) | ({"comment": comment} if comment else {}),
    )
    return row


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
    """Take one move on one risk, or refuse with a `ServiceError` (the caller rolls back)."""
    sit = await situation(session, config, risk_id)
    if decision.expected_version is not None and decision.expected_version != sit.review.version:
        raise ServiceError("review.stale_card")
    await move(session, clock, config, sit, actor=actor, decision=decision, channel=channel)
    await _carry_on(session, clock, config, sit)
    await queue_notices(session, clock, sit.notices, config.settings)
    return sit


async def check_may(
    session: AsyncSession,
    config: ReviewConfig,
    *,
    actor: Person,
    risk_id: int,
    action: Action,
    expected_version: int | None = None,
) -> Situation:
    """Refuse now what `transition` would refuse for who, when and from which state, before a
    comment or reason is asked for (so nobody types a text only to be refused after)."""
    sit = await situation(session, config, risk_id)
    if expected_version is not None and expected_version != sit.review.version:
        raise ServiceError("review.stale_card")
    # The comment itself is asked next: a placeholder stands in for it here.
    check(sit.state, action, actors_for(actor, sit), track=sit.track, comment="…")
    return sit


def _follow_up(sit: Situation, config: ReviewConfig) -> Action | None:
    """The automatic next move after this one, if any."""
    if sit.state is not RiskState.SUBMITTED:
        return None
    # Social review is held once: a record returned from a later step skips it.
    returned_later = sit.review.returned_from not in (None, RiskState.SOCIAL_REVIEW.value)
    if config.social_window <= timedelta(0) or returned_later:
        return Action.SKIP_SOCIAL
    return Action.OPEN_SOCIAL


async def _carry_on(
    session: AsyncSession, clock: Clock, config: ReviewConfig, sit: Situation
) -> None:
    follow = _follow_up(sit, config)
    if follow is not None:
        await move(session, clock, config, sit, actor=None, decision=Decision(follow))


# --- entry points for other features and the scheduler ------------------------------------


async def enter_review(
    session: AsyncSession, clock: Clock, config: ReviewConfig, *, risk_id: int
) -> Situation:
    """A record found in `submitted` (a file import stores them so) starts its review."""
    sit = await situation(session, config, risk_id)
    if sit.state is not RiskState.SUBMITTED:
        return sit
    if sit.grade is not None and sit.review.suggested_level is None:
        await regrade(Step(session, clock, config, sit, None, Decision(Action.SUBMIT), None))
    await _carry_on(session, clock, config, sit)
    await queue_notices(session, clock, sit.notices, config.settings)
    return sit


@dataclass(frozen=True)
class _DueScan:
    """A scheduled move: `action` on each record in `state` whose `due` moment has come."""

    state: RiskState
    due: InstrumentedAttribute[datetime | None]
    action: Action


SOCIAL_CLOSES = _DueScan(RiskState.SOCIAL_REVIEW, RiskReview.social_closes_at, Action.CLOSE_SOCIAL)
REGRADING_FALLS_DUE = _DueScan(
    RiskState.PUBLICISED, RiskReview.regrading_due_at, Action.REGRADING_DUE
)


async def _scan(
    session: AsyncSession, clock: Clock, config: ReviewConfig, scan: _DueScan, now: datetime
) -> list[int]:
    """One query for the records due (on the indexed due column), then one move each: the
    cost follows what is due, not the size of the register."""
    moved = await review_repo.ids_due(session, scan.state.value, scan.due, now)
    for risk_id in moved:
        decision = Decision(scan.action)
        await transition(session, clock, config, actor=None, risk_id=risk_id, decision=decision)
    return moved


async def close_due_social_reviews(
    session: AsyncSession, clock: Clock, config: ReviewConfig, now: datetime | None = None
) -> list[int]:
    """Close every social review whose window has passed; safe to run any number of times."""
    return await _scan(session, clock, config, SOCIAL_CLOSES, now or clock.now())


async def open_submitted(session: AsyncSession, clock: Clock, config: ReviewConfig) -> list[int]:
    """Records left in `submitted` (a file import stores them so) enter their review."""
    ids = await subject.ids_in_state(session, RiskState.SUBMITTED.value)
    for risk_id in ids:
        await enter_review(session, clock, config, risk_id=risk_id)
    return list(ids)


async def mark_regrading_due(
    session: AsyncSession, clock: Clock, config: ReviewConfig, now: datetime | None = None
) -> list[int]:
    """Active risks whose period is up become `regrading_due`; idempotent."""
    return await _scan(session, clock, config, REGRADING_FALLS_DUE, now or clock.now())


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
            session, clock, config, actor=actor, risk_id=risk_id,
            decision=Decision(Action.PUBLICISE), channel="bot" if actor else SCHEDULER_CHANNEL,
        )  # fmt: skip
        done.append(risk_id)
    return done
