"""What each move does besides changing the state: the effects declared beside the table.

`bot.domain.risk_workflow.TRANSITIONS` says which move is legal for whom; `EFFECTS` here says
what a move writes (review bookkeeping, register fields, timeline notes) and whom it tells.
`move()` runs a move's effects in order, after the table allowed it and before the state
changes (an effect sees the state the record is leaving).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.risk_workflow import Action, RiskState, Track
from bot.i18n import N_
from bot.services import review_subject as subject
from bot.services.buttons import regrading_button
from bot.services.register_access import commission, tell
from bot.services.review import audience
from bot.services.review.model import Decision, NoteKind, ReviewConfig, Situation
from bot.services.review.notices import Notice
from bot.services.review.situation import grade_of, reviewer_units, route
from storage.models.org import Person
from storage.models.review import ReviewNote
from storage.repositories import review as review_repo


@dataclass
class Step:
    """One move being applied: the record, who takes the move and what they asked."""

    session: AsyncSession
    clock: Clock
    config: ReviewConfig
    sit: Situation
    actor: Person | None
    decision: Decision
    comment: str | None

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def note(self, kind: NoteKind, text: str | None) -> None:
        """A line of the review timeline, in the state the record is leaving."""
        self.session.add(
            ReviewNote(
                risk_id=self.sit.risk.id,
                author_id=self.actor.id if self.actor else None,
                kind=kind.value,
                state=subject.status(self.sit.risk),
                text=text,
                at=self.now,
            )
        )


Effect = Callable[[Step], Awaitable[None]]


# --- grading and routing --------------------------------------------------------------------


async def regrade(step: Step) -> None:
    """Record the rule's suggestion as the record (re-)enters review, and route it by it."""
    sit = step.sit
    sit.grade = grade_of(sit.risk, step.config)
    if sit.grade is None:
        raise ServiceError("review.factors_missing")
    sit.review.suggested_level = sit.grade.level
    sit.review.suggested_score = sit.grade.score_text
    sit.review.reviewed_level = None
    sit.review.reviewed_reason = None
    subject.set_suggested_level(sit.risk, sit.grade.level)
    route(sit, step.config, await reviewer_units(step.session))


def ensure_suggestion(sit: Situation) -> None:
    """Records that reached a decision without entering review (leadership records go
    集体议 → 自己审 → 常委定) still carry the rule's suggestion, so a decision is measured
    against it instead of a default."""
    if sit.review.suggested_level is None and sit.grade is not None:
        sit.review.suggested_level = sit.grade.level
        sit.review.suggested_score = sit.grade.score_text


# --- the register's own moves (the holder's steps) ------------------------------------------


async def touch(step: Step) -> None:
    step.sit.risk.updated_at = step.now


async def register_suggestion(step: Step) -> None:
    """岗位自评: the submitted record carries the rule's suggested level."""
    grade = grade_of(step.sit.risk, step.config)
    if grade is None:
        raise ServiceError("register.bad_factors")
    subject.set_suggested_level(step.sit.risk, grade.level)


async def _tell_proposer(step: Step, key: str) -> None:
    risk = step.sit.risk
    proposer = await step.session.get(Person, risk.proposed_by_id) if risk.proposed_by_id else None
    if proposer is None or step.actor is None:
        return
    await tell(
        step.session, [proposer], key, clock=step.clock, settings=step.config.settings,
        skip=step.actor, description=risk.description, name=step.actor.name,
        reason=step.comment or "",
    )  # fmt: skip


async def take_over_proposal(step: Step) -> None:
    """The holder confirms a top-down proposal: it becomes their draft."""
    step.sit.risk.created_by_id = step.actor.id if step.actor else None
    await _tell_proposer(step, N_("register.notice.proposal_confirmed"))


async def dispute_proposal(step: Step) -> None:
    step.sit.risk.dispute_reason = step.comment
    await _tell_proposer(step, N_("register.notice.disputed"))


async def record_discussion(step: Step) -> None:
    """集体议: the collective discussion's date and summary."""
    step.sit.risk.discussion_date = step.decision.details["held_on"]
    step.sit.risk.discussion_summary = step.decision.details["summary"]


async def self_confirm(step: Step) -> None:
    """自己审: stamped, and the commission is told it waits for 常委定."""
    risk = step.sit.risk
    risk.self_reviewed_at = step.now
    post = await subject.post_of(step.session, risk)
    await tell(
        step.session, await commission(step.session), N_("register.notice.to_committee"),
        clock=step.clock, settings=step.config.settings, skip=step.actor,
        description=risk.description, post=post.name,
    )  # fmt: skip


# --- social review, graded review, approval -------------------------------------------------


async def open_social(step: Step) -> None:
    step.sit.review.social_opened_at = step.now
    step.sit.review.social_closes_at = step.now + step.config.social_window
    step.sit.notices.extend(
        await audience.to_colleagues(step.session, step.sit, N_("review.notice.social_open"))
    )


async def comment(step: Step) -> None:
    if step.comment is None:
        raise ServiceError("workflow.comment_required")
    sit = step.sit
    step.note(NoteKind.COMMENT, step.comment)
    sit.notices.append(audience.to_holder(sit, N_("review.notice.comment"), comment=step.comment))
    sit.notices.extend(
        await audience.to_route(
            step.session, sit, sit.review_route, N_("review.notice.comment_reviewer"),
            comment=step.comment,
        )
    )  # fmt: skip


async def agree(step: Step) -> None:
    review = step.sit.review
    if step.actor is not None and await review_repo.notes_count(
        step.session, step.sit.risk.id, author_id=step.actor.id, kind=NoteKind.AGREE.value,
        state=RiskState.SOCIAL_REVIEW.value, since=review.social_opened_at or datetime.min,
    ):  # fmt: skip
        raise ServiceError("review.already_agreed")
    step.note(NoteKind.AGREE, None)


async def close_social(step: Step) -> None:
    review = step.sit.review
    review.social_closes_at = min(review.social_closes_at or step.now, step.now)


async def tell_review(step: Step) -> None:
    """The tier that does graded review hears the record is theirs now."""
    sit = step.sit
    sit.notices.extend(
        await audience.to_route(step.session, sit, sit.review_route, N_("review.notice.to_review"))
    )


async def tell_review_after_regrading(step: Step) -> None:
    if step.sit.state is RiskState.REGRADING_DUE:
        await tell_review(step)


async def pass_review(step: Step) -> None:
    sit, review = step.sit, step.sit.review
    ensure_suggestion(sit)
    level = step.decision.level or review.suggested_level or 3
    if level != review.suggested_level and step.comment is None:
        raise ServiceError("review.level_reason_required")
    review.reviewed_level = level
    review.reviewed_reason = step.comment if level != review.suggested_level else None
    if review.reviewed_reason:
        step.note(NoteKind.OVERRIDE, step.comment)
    route(sit, step.config, await reviewer_units(step.session))
    sit.notices.extend(
        await audience.to_route(
            step.session, sit, sit.approval_route, N_("review.notice.to_approval")
        )
    )


async def approve(step: Step) -> None:
    sit, review = step.sit, step.sit.review
    ensure_suggestion(sit)
    suggested = review.suggested_level or 3
    level = step.decision.level or review.reviewed_level or suggested
    reason = step.comment
    if level != suggested and reason is None:
        # Keeping graded review's level keeps its reason; any other change needs one.
        if level == review.reviewed_level and review.reviewed_reason:
            reason = review.reviewed_reason
        else:
            raise ServiceError("review.level_reason_required")
    review.final_level = level
    review.level_reason = reason if level != suggested else None
    if reason and level != suggested and reason != review.reviewed_reason:
        step.note(NoteKind.OVERRIDE, reason)
    review.approved_by_id = step.actor.id if step.actor else None
    review.approved_at = step.now
    subject.set_final_level(sit.risk, level)
    sit.notices.append(audience.to_holder(sit, N_("review.notice.approved"), level=level))


async def return_to_holder(step: Step) -> None:
    step.sit.review.returned_from = step.sit.state.value
    step.note(NoteKind.RETURN, step.comment)
    step.sit.notices.append(
        audience.to_holder(step.sit, N_("review.notice.returned"), comment=step.comment or "")
    )


async def repropose(step: Step) -> None:
    step.note(NoteKind.COMMENT, step.comment)
    step.sit.notices.append(
        audience.to_holder(step.sit, N_("review.notice.reproposed"), comment=step.comment or "")
    )


# --- publicity and re-grading ---------------------------------------------------------------


async def publicise(step: Step) -> None:
    review = step.sit.review
    review.publicised_at = step.now
    review.regrading_due_at = step.now + step.config.regrading_period
    subject.set_regrade_due(step.sit.risk, review.regrading_due_at)


# The holder's notice when a risk falls due for re-grading, by why.
DUE_NOTICES: dict[Action, str] = {
    Action.REGRADING_DUE: N_("review.notice.regrading"),
    Action.REOPEN: N_("review.notice.reopened"),
}


async def fall_due(step: Step) -> None:
    if step.comment:
        step.note(NoteKind.REOPEN, step.comment)
    notice = audience.to_holder(
        step.sit, DUE_NOTICES[step.decision.action], comment=step.comment or ""
    )
    step.sit.notices.append(
        Notice(notice.person_ids, notice.key, notice.values, regrading_button(step.sit.risk.id))
    )


# --- the table ------------------------------------------------------------------------------

EFFECTS: dict[Action, tuple[Effect, ...]] = {
    Action.SUBMIT: (touch, register_suggestion, regrade),
    Action.CONFIRM_PROPOSAL: (touch, take_over_proposal),
    Action.DISPUTE: (touch, dispute_proposal),
    Action.REPROPOSE: (repropose,),
    Action.WITHDRAW: (touch,),
    Action.OPEN_SOCIAL: (open_social,),
    Action.SKIP_SOCIAL: (tell_review,),
    Action.COMMENT: (comment,),
    Action.AGREE: (agree,),
    Action.CLOSE_SOCIAL: (close_social, tell_review),
    Action.PASS_REVIEW: (pass_review,),
    Action.RETURN: (return_to_holder,),
    Action.APPROVE: (approve,),
    Action.PUBLICISE: (publicise,),
    Action.REGRADING_DUE: (fall_due,),
    Action.REOPEN: (fall_due,),
    Action.REVISE: (regrade, tell_review),
    Action.RESUBMIT: (regrade, tell_review_after_regrading),
    Action.RECORD_DISCUSSION: (touch, record_discussion),
    Action.SELF_CONFIRM: (touch, self_confirm),
}
# Leadership records are graded when the commission decides (常委定), not on submission.
LEADERSHIP_EFFECTS: dict[Action, tuple[Effect, ...]] = {
    Action.SUBMIT: (touch, register_suggestion),
}


def effects_of(action: Action, track: Track) -> tuple[Effect, ...]:
    if track is Track.LEADERSHIP and action in LEADERSHIP_EFFECTS:
        return LEADERSHIP_EFFECTS[action]
    return EFFECTS[action]
