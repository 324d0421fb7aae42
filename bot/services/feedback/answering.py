"""The officials' side: the /feedback inbox and what a reviewer (or the commission) does with
an item — answer, reopen the risk for re-grading, mark as a duplicate, hide — and the
commission's disposition of an item left unanswered past twice the deadline.

Every screen here is built from the `Feedback` row and the public risk: an anonymous item
never shows its sender; a signed one shows the name (and phone) the sender chose to give.
Authority is decided per item (`routing.actors_for`), never from a button.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import feedback as rules
from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.feedback import Action, Actor, Disposition, State, Step
from bot.domain.risk_workflow import Action as RiskAction
from bot.services import audit, review, review_subject
from bot.services.feedback import moves, notices, routing
from bot.services.feedback.config import FeedbackConfig
from bot.services.review import Decision, ReviewConfig
from storage.models.feedback import Feedback
from storage.models.org import Person


@dataclass(frozen=True)
class InboxCard:
    """One item as an official sees it; `actions` are the moves open to them."""

    feedback_id: int
    risk_id: int
    code: str
    kind: str
    text: str
    evidence: list[dict[str, str]]
    anonymous: bool
    signed_name: str | None
    signed_phone: str | None
    created_at: datetime
    due_at: datetime
    overdue_step: int
    appealed: bool
    first_answer: str | None
    version: int
    actions: list[Action]
    can_dispose: bool


async def _item(session: AsyncSession, feedback_id: int) -> Feedback:
    item = await session.get(Feedback, feedback_id)
    if item is None:
        raise ServiceError("feedback.not_found")
    return item


async def _official(session: AsyncSession, person: Person, item: Feedback) -> set[Actor]:
    kinds = await routing.actors_for(session, person, item)
    if not kinds:
        raise NotAllowed("feedback.not_yours")
    return kinds


async def inbox(session: AsyncSession, person: Person) -> list[int]:
    """Items waiting for `person`'s answer, oldest first."""
    rows = await session.scalars(
        select(Feedback)
        .where(Feedback.status.in_([s.value for s in rules.OPEN_STATES]))
        .order_by(Feedback.waiting_since, Feedback.id)
    )
    return [item.id for item in rows if await routing.actors_for(session, person, item)]


async def card(session: AsyncSession, person: Person, feedback_id: int) -> InboxCard:
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    offered: list[Action] = [
        a
        for a in rules.available(item.status, kinds)
        if a in (Action.ANSWER, Action.REOPEN_RISK, Action.MARK_DUPLICATE, Action.HIDE)
    ]
    return InboxCard(
        feedback_id=item.id,
        risk_id=item.risk_id,
        code=item.code,
        kind=item.kind,
        text=item.text,
        evidence=list(item.evidence or []),
        anonymous=item.anonymous,
        signed_name=None if item.anonymous else item.signed_name,
        signed_phone=None if item.anonymous else item.signed_phone,
        created_at=item.created_at,
        due_at=item.due_at,
        overdue_step=item.ladder_step,
        appealed=item.appealed,
        first_answer=item.first_answer,
        version=item.version,
        actions=offered,
        can_dispose=Actor.COMMISSION in kinds
        and item.ladder_step >= Step.COMMISSION
        and item.status == State.RECEIVED.value,
    )


async def check_may(
    session: AsyncSession, person: Person, feedback_id: int, action: Action, version: int
) -> None:
    """A button pressed before a text is typed: refuse a stale or foreign one at once."""
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    if version != item.version:
        raise ServiceError("feedback.stale")
    rules.check(item.status, action, kinds, reason="-")  # the text is checked when it comes


async def answer(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    person: Person,
    *,
    feedback_id: int,
    text: str | None,
    expected_version: int | None = None,
) -> Feedback:
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    reply = rules.check_reason(text, rules.ANSWER_MAX)
    now = clock.now()
    await moves.move(
        session, clock, item, Action.ANSWER, kinds, official=person, reason=reply,
        expected_version=expected_version,
        changes={
            "answer": reply, "answered_by_id": person.id, "answered_at": now,
            "responded_at": item.responded_at or now,
        },
    )  # fmt: skip
    await notices.tell_sender(
        session, clock, config, "feedback.notice.answered", item, answer=reply
    )
    return item


async def reopen_risk(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    review_config: ReviewConfig,
    person: Person,
    *,
    feedback_id: int,
    expected_version: int | None = None,
) -> Feedback:
    """Uphold the feedback: the risk goes back to re-grading with its text as the reason."""
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    reason = notices.excerpt(item.text, review.COMMENT_MAX)
    await moves.move(
        session, clock, item, Action.REOPEN_RISK, kinds, official=person,
        expected_version=expected_version,
        changes={"responded_at": item.responded_at or clock.now()},
    )  # fmt: skip
    await review.transition(
        session, clock, review_config, actor=person, risk_id=item.risk_id,
        decision=Decision(RiskAction.REOPEN, comment=reason),
    )  # fmt: skip
    await notices.tell_sender(session, clock, config, "feedback.notice.reopened", item)
    return item


async def mark_duplicate(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    person: Person,
    *,
    feedback_id: int,
    of_code: str | None,
    expected_version: int | None = None,
) -> Feedback:
    """Mark as a duplicate of another item on the same risk (typed by its receipt code)."""
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    code = rules.normalize_code(of_code or "")
    other = await session.scalar(select(Feedback).where(Feedback.code == code)) if code else None
    if other is None or other.id == item.id or other.risk_id != item.risk_id:
        raise ServiceError("feedback.duplicate_of_unknown")
    await moves.move(
        session, clock, item, Action.MARK_DUPLICATE, kinds, official=person,
        expected_version=expected_version,
        changes={"duplicate_of_id": other.id, "responded_at": item.responded_at or clock.now()},
    )  # fmt: skip
    await notices.tell_sender(session, clock, config, "feedback.notice.duplicate", item)
    return item


async def hide(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    person: Person,
    *,
    feedback_id: int,
    reason: str | None,
    expected_version: int | None = None,
) -> Feedback:
    """Hide abusive feedback; the sender is told why."""
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    why = rules.check_reason(reason)
    await moves.move(
        session, clock, item, Action.HIDE, kinds, official=person, reason=why,
        expected_version=expected_version, changes={"hidden_reason": why},
    )  # fmt: skip
    await notices.tell_sender(session, clock, config, "feedback.notice.hidden", item, reason=why)
    return item


async def dispose(
    session: AsyncSession,
    clock: Clock,
    config: FeedbackConfig,
    person: Person,
    *,
    feedback_id: int,
    disposition: Disposition,
    note: str | None = None,
    follow_up_on: date | None = None,
    expected_version: int | None = None,
) -> Feedback:
    """The commission's disposition of an item past twice its deadline: 约谈, 整改 with a
    follow-up date, or closed with a reason. Audited on the item and on its risk (/history)."""
    item = await _item(session, feedback_id)
    kinds = await _official(session, person, item)
    if Actor.COMMISSION not in kinds:
        raise NotAllowed("feedback.not_yours")
    if item.ladder_step < Step.COMMISSION:
        raise ServiceError("feedback.not_overdue")
    if disposition is Disposition.RECTIFY and (
        follow_up_on is None or follow_up_on <= clock.now().date()
    ):
        raise ServiceError("feedback.follow_up_required")
    reason = rules.check_reason(note) if disposition is Disposition.CLOSED else None
    action = Action.CLOSE if disposition is Disposition.CLOSED else Action.DISPOSE
    now = clock.now()
    await moves.move(
        session, clock, item, action, kinds, official=person, reason=reason,
        expected_version=expected_version,
        changes={
            "disposition": disposition.value, "disposition_note": reason or note,
            "follow_up_on": follow_up_on, "disposed_by_id": person.id, "disposed_at": now,
        },
    )  # fmt: skip
    risk = await review_subject.get_risk(session, item.risk_id)
    audit.record(
        session, clock, actor=person, action="feedback.disposition", entity=risk,
        after={
            "code": item.code, "disposition": disposition.value,
            "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
            "note": reason or note,
        },
    )  # fmt: skip
    if disposition is Disposition.CLOSED:
        await notices.tell_sender(
            session, clock, config, "feedback.notice.closed", item, reason=reason or ""
        )
    return item
