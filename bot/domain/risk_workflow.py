"""The life of a risk point as ONE state machine: every legal move is a row of `TRANSITIONS`.

Ordinary posts (五个步骤, DOMAIN.md method step 3)::

    draft ─submit→ submitted ─open_social→ social_review ─close_social→ graded_review
          ─pass_review→ org_approval ─approve→ approved ─publicise→ publicised (active)

Leadership posts (三步工作法: 集体议 → 自己审 → 常委定) replace self-assessment, social and
graded review with their own three steps; the commission's standing-committee decision is
their organisational approval::

    draft ─submit→ collective_discussion ─record_discussion→ self_review ─self_confirm→
          standing_committee ─approve→ approved ─publicise→ publicised

Around those tracks:

* top-down (自上而下): a reviewer *proposes* a risk for a post; the holder confirms it
  (→ draft, now theirs) or disputes it with a reason (→ disputed); the reviewer then revises
  the proposal (→ proposed again) or withdraws it;
* any review step may *return* the record to its holder with a comment; the holder
  resubmits (ordinary → submitted, leadership → collective_discussion). The service decides
  whether a resubmitted record needs social review again (only if that is where it was
  returned from) — the table allows both `open_social` and `skip_social` from `submitted`;
* re-grading (定期调整): an active risk whose period is up becomes `regrading_due`
  (scheduler), as does one a reviewer reopens after feedback; the holder confirms or revises
  and it goes back through graded review (leadership: back to collective discussion);
* the holder may withdraw a record any time before approval.

Who may move is named per row, as *actor kinds* relative to the record (see `Actor`); the
service works out which kinds the current person is for this record (holder? tier
reviewer? …) and asks `check()`. Refusals are `ServiceError`s with catalog keys:
``workflow.illegal.<state>`` when the move does not exist from that state (e.g. approving
something already approved — also what a stale button meets), ``workflow.actor_not_allowed``
when it exists but not for this person.

No aiogram and no database here: this is the rule, tested on its own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.keys import N_


class RiskState(StrEnum):
    """Where a risk point stands. Values are stored in the database; never rename one."""

    DRAFT = "draft"  # being declared by the holder
    PROPOSED = "proposed"  # top-down: proposed by a reviewer, awaiting the holder
    DISPUTED = "disputed"  # top-down: the holder disputes the proposal
    SUBMITTED = "submitted"  # self-assessed (岗位自评) and sent
    SOCIAL_REVIEW = "social_review"  # 社会评议: open to the unit's colleagues for a window
    GRADED_REVIEW = "graded_review"  # 分级评审: with the tier its level routes to
    ORG_APPROVAL = "org_approval"  # 组织审定: the approver fixes the final level
    COLLECTIVE_DISCUSSION = "collective_discussion"  # leadership 集体议
    SELF_REVIEW = "self_review"  # leadership 自己审
    STANDING_COMMITTEE = "standing_committee"  # leadership 常委定 (the commission)
    APPROVED = "approved"  # awaiting the next publicity round (社会公示)
    PUBLICISED = "publicised"  # announced: the risk is active
    REGRADING_DUE = "regrading_due"  # 定期调整: the holder confirms or revises
    RETURNED = "returned"  # back with the holder, with a comment
    WITHDRAWN = "withdrawn"  # no longer pursued (terminal)


class Action(StrEnum):
    """A move; the value is what the audit trail records as `risk.<action>`."""

    SUBMIT = "submit"
    CONFIRM_PROPOSAL = "confirm_proposal"
    DISPUTE = "dispute"
    REPROPOSE = "repropose"
    WITHDRAW = "withdraw"
    OPEN_SOCIAL = "open_social"
    SKIP_SOCIAL = "skip_social"
    COMMENT = "comment"
    AGREE = "agree"
    CLOSE_SOCIAL = "close_social"
    PASS_REVIEW = "pass_review"
    RETURN = "return"
    APPROVE = "approve"
    PUBLICISE = "publicise"
    REGRADING_DUE = "regrading_due"
    REOPEN = "reopen"
    REVISE = "revise"
    RESUBMIT = "resubmit"
    RECORD_DISCUSSION = "record_discussion"
    SELF_CONFIRM = "self_confirm"


class Actor(StrEnum):
    """Who someone is *relative to one record*; a person can be several at once."""

    HOLDER = "holder"  # holds the record's post (the declarant)
    COLLEAGUE = "colleague"  # staff of the same unit, not the holder
    REVIEWER = "reviewer"  # a reviewer of the tier the record's level routes to
    APPROVER = "approver"  # the tier that gives organisational approval for its level
    COMMISSION = "commission"  # 纪委: may act on everything a reviewer or approver may
    SCHEDULER = "scheduler"  # the bot itself (windows closing, periods up, publicity)


class Track(StrEnum):
    """Which method a post follows."""

    ORDINARY = "ordinary"
    LEADERSHIP = "leadership"


BOTH: frozenset[Track] = frozenset(Track)
ORDINARY: frozenset[Track] = frozenset({Track.ORDINARY})
LEADERSHIP: frozenset[Track] = frozenset({Track.LEADERSHIP})

S = RiskState
A = Action


@dataclass(frozen=True)
class Transition:
    """One legal move: from `source` by `action` to `target`, taken by any of `actors`."""

    source: RiskState
    action: Action
    target: RiskState
    actors: frozenset[Actor]
    tracks: frozenset[Track] = BOTH
    needs_comment: bool = False  # a return, dispute or reopen must say why


def _t(
    source: RiskState,
    action: Action,
    target: RiskState,
    *actors: Actor,
    tracks: frozenset[Track] = BOTH,
    needs_comment: bool = False,
) -> Transition:
    return Transition(source, action, target, frozenset(actors), tracks, needs_comment)


H, C, R, P, K, SCH = (
    Actor.HOLDER,
    Actor.COLLEAGUE,
    Actor.REVIEWER,
    Actor.APPROVER,
    Actor.COMMISSION,
    Actor.SCHEDULER,
)
_BEFORE_APPROVAL = (
    S.DRAFT,
    S.SUBMITTED,
    S.SOCIAL_REVIEW,
    S.GRADED_REVIEW,
    S.ORG_APPROVAL,
    S.COLLECTIVE_DISCUSSION,
    S.SELF_REVIEW,
    S.STANDING_COMMITTEE,
    S.RETURNED,
)

# THE table. Order is irrelevant to the rule; it is grouped the way the method reads.
TRANSITIONS: tuple[Transition, ...] = (
    # Top-down proposals (自上而下).
    _t(S.PROPOSED, A.CONFIRM_PROPOSAL, S.DRAFT, H),
    _t(S.PROPOSED, A.DISPUTE, S.DISPUTED, H, needs_comment=True),
    _t(S.DISPUTED, A.REPROPOSE, S.PROPOSED, R, K, needs_comment=True),
    _t(S.PROPOSED, A.WITHDRAW, S.WITHDRAWN, R, K),
    _t(S.DISPUTED, A.WITHDRAW, S.WITHDRAWN, R, K),
    # Ordinary track: 岗位自评 → 社会评议 → 分级评审 → 组织审定.
    _t(S.DRAFT, A.SUBMIT, S.SUBMITTED, H, tracks=ORDINARY),
    _t(S.SUBMITTED, A.OPEN_SOCIAL, S.SOCIAL_REVIEW, SCH, R, K, tracks=ORDINARY),
    # Social review switched off (window 0) or already held before a later return.
    _t(S.SUBMITTED, A.SKIP_SOCIAL, S.GRADED_REVIEW, SCH, R, K, tracks=ORDINARY),
    _t(S.SOCIAL_REVIEW, A.COMMENT, S.SOCIAL_REVIEW, C, H, R, K, tracks=ORDINARY),
    _t(S.SOCIAL_REVIEW, A.AGREE, S.SOCIAL_REVIEW, C, tracks=ORDINARY),
    _t(S.SOCIAL_REVIEW, A.CLOSE_SOCIAL, S.GRADED_REVIEW, SCH, R, K, tracks=ORDINARY),
    _t(S.SOCIAL_REVIEW, A.RETURN, S.RETURNED, R, K, tracks=ORDINARY, needs_comment=True),
    _t(S.GRADED_REVIEW, A.PASS_REVIEW, S.ORG_APPROVAL, R, K, tracks=ORDINARY),
    _t(S.GRADED_REVIEW, A.RETURN, S.RETURNED, R, K, tracks=ORDINARY, needs_comment=True),
    _t(S.ORG_APPROVAL, A.APPROVE, S.APPROVED, P, K, tracks=ORDINARY),
    _t(S.ORG_APPROVAL, A.RETURN, S.RETURNED, P, K, tracks=ORDINARY, needs_comment=True),
    _t(S.RETURNED, A.RESUBMIT, S.SUBMITTED, H, tracks=ORDINARY),
    # Leadership track: 集体议 → 自己审 → 常委定.
    _t(S.DRAFT, A.SUBMIT, S.COLLECTIVE_DISCUSSION, H, tracks=LEADERSHIP),
    _t(S.COLLECTIVE_DISCUSSION, A.RECORD_DISCUSSION, S.SELF_REVIEW, H, tracks=LEADERSHIP),
    _t(S.SELF_REVIEW, A.SELF_CONFIRM, S.STANDING_COMMITTEE, H, tracks=LEADERSHIP),
    _t(S.STANDING_COMMITTEE, A.APPROVE, S.APPROVED, K, tracks=LEADERSHIP),
    _t(S.STANDING_COMMITTEE, A.RETURN, S.RETURNED, K, tracks=LEADERSHIP, needs_comment=True),
    _t(S.RETURNED, A.RESUBMIT, S.COLLECTIVE_DISCUSSION, H, tracks=LEADERSHIP),
    # 社会公示: the publicity round announces approved risks.
    _t(S.APPROVED, A.PUBLICISE, S.PUBLICISED, SCH, K),
    # 定期调整: period up (scheduler) or reopened after feedback (reviewer, commission).
    _t(S.PUBLICISED, A.REGRADING_DUE, S.REGRADING_DUE, SCH),
    _t(S.PUBLICISED, A.REOPEN, S.REGRADING_DUE, R, P, K, needs_comment=True),
    _t(S.APPROVED, A.REOPEN, S.REGRADING_DUE, R, P, K, needs_comment=True),
    _t(S.REGRADING_DUE, A.RESUBMIT, S.GRADED_REVIEW, H, tracks=ORDINARY),
    _t(S.REGRADING_DUE, A.RESUBMIT, S.COLLECTIVE_DISCUSSION, H, tracks=LEADERSHIP),
    # The holder changes an approved or active record: it goes back through graded review.
    _t(S.APPROVED, A.REVISE, S.GRADED_REVIEW, H, tracks=ORDINARY),
    _t(S.PUBLICISED, A.REVISE, S.GRADED_REVIEW, H, tracks=ORDINARY),
    _t(S.APPROVED, A.REVISE, S.COLLECTIVE_DISCUSSION, H, tracks=LEADERSHIP),
    _t(S.PUBLICISED, A.REVISE, S.COLLECTIVE_DISCUSSION, H, tracks=LEADERSHIP),
    # Withdrawal by the holder, any time before approval.
    *(_t(state, A.WITHDRAW, S.WITHDRAWN, H) for state in _BEFORE_APPROVAL),
)

_INDEX: dict[tuple[RiskState, Action, Track], Transition] = {}
for _row in TRANSITIONS:
    for _track in _row.tracks:
        _key = (_row.source, _row.action, _track)
        if _key in _INDEX:  # pragma: no cover - guards the table itself at import
            raise RuntimeError(f"duplicate transition {_key}")
        _INDEX[_key] = _row

# States a record can only leave by a review decision: what a reviewer's inbox shows.
REVIEW_STATES: frozenset[RiskState] = frozenset(
    {S.SOCIAL_REVIEW, S.GRADED_REVIEW, S.ORG_APPROVAL, S.STANDING_COMMITTEE, S.DISPUTED}
)
# Still editable by the holder.
HOLDER_STATES: frozenset[RiskState] = frozenset(
    {S.DRAFT, S.RETURNED, S.REGRADING_DUE, S.COLLECTIVE_DISCUSSION, S.SELF_REVIEW}
)
TERMINAL_STATES: frozenset[RiskState] = frozenset({S.WITHDRAWN})
# Counted as "in force" by statistics and digests.
ACTIVE_STATES: frozenset[RiskState] = frozenset({S.APPROVED, S.PUBLICISED, S.REGRADING_DUE})


# A state in words, and what a move that does not exist from it says.
STATE_KEYS: dict[RiskState, str] = {
    S.DRAFT: N_("workflow.state.draft"),
    S.PROPOSED: N_("workflow.state.proposed"),
    S.DISPUTED: N_("workflow.state.disputed"),
    S.SUBMITTED: N_("workflow.state.submitted"),
    S.SOCIAL_REVIEW: N_("workflow.state.social_review"),
    S.GRADED_REVIEW: N_("workflow.state.graded_review"),
    S.ORG_APPROVAL: N_("workflow.state.org_approval"),
    S.COLLECTIVE_DISCUSSION: N_("workflow.state.collective_discussion"),
    S.SELF_REVIEW: N_("workflow.state.self_review"),
    S.STANDING_COMMITTEE: N_("workflow.state.standing_committee"),
    S.APPROVED: N_("workflow.state.approved"),
    S.PUBLICISED: N_("workflow.state.publicised"),
    S.REGRADING_DUE: N_("workflow.state.regrading_due"),
    S.RETURNED: N_("workflow.state.returned"),
    S.WITHDRAWN: N_("workflow.state.withdrawn"),
}
ILLEGAL_KEYS: dict[RiskState, str] = {
    S.DRAFT: N_("workflow.illegal.draft"),
    S.PROPOSED: N_("workflow.illegal.proposed"),
    S.DISPUTED: N_("workflow.illegal.disputed"),
    S.SUBMITTED: N_("workflow.illegal.submitted"),
    S.SOCIAL_REVIEW: N_("workflow.illegal.social_review"),
    S.GRADED_REVIEW: N_("workflow.illegal.graded_review"),
    S.ORG_APPROVAL: N_("workflow.illegal.org_approval"),
    S.COLLECTIVE_DISCUSSION: N_("workflow.illegal.collective_discussion"),
    S.SELF_REVIEW: N_("workflow.illegal.self_review"),
    S.STANDING_COMMITTEE: N_("workflow.illegal.standing_committee"),
    S.APPROVED: N_("workflow.illegal.approved"),
    S.PUBLICISED: N_("workflow.illegal.publicised"),
    S.REGRADING_DUE: N_("workflow.illegal.regrading_due"),
    S.RETURNED: N_("workflow.illegal.returned"),
    S.WITHDRAWN: N_("workflow.illegal.withdrawn"),
}


class IllegalTransition(ServiceError):
    """The move does not exist from this state (also what a stale button runs into)."""

    def __init__(self, state: RiskState, action: Action) -> None:
        super().__init__(ILLEGAL_KEYS[state])
        self.state = state
        self.action = action


def track_for(is_leadership: bool) -> Track:
    return Track.LEADERSHIP if is_leadership else Track.ORDINARY


def find(state: RiskState | str, action: Action | str, track: Track) -> Transition | None:
    """The row for this move, or None when there is none."""
    return _INDEX.get((RiskState(state), Action(action), track))


def check(
    state: RiskState | str,
    action: Action | str,
    actors: Collection[Actor],
    *,
    track: Track = Track.ORDINARY,
    comment: str | None = None,
) -> Transition:
    """The transition if `actors` may take `action` from `state`; else a `ServiceError`.

    `actors` are the kinds the person is for this record (empty for a stranger). The order of
    checks matters for the message: a move that does not exist says so (whoever asks), before
    a person is told they may not take it.
    """
    state, action = RiskState(state), Action(action)
    row = find(state, action, track)
    if row is None:
        raise IllegalTransition(state, action)
    if not row.actors.intersection(actors):
        raise NotAllowed("workflow.actor_not_allowed")
    if row.needs_comment and not (comment or "").strip():
        raise ServiceError("workflow.comment_required")
    return row


def available(
    state: RiskState | str, actors: Collection[Actor], *, track: Track = Track.ORDINARY
) -> list[Transition]:
    """The moves open to `actors` from `state`, in table order (what buttons to offer)."""
    state = RiskState(state)
    held = set(actors)
    return [
        row
        for row in TRANSITIONS
        if row.source == state and track in row.tracks and row.actors & held
    ]


def states_reachable(start: RiskState, track: Track) -> set[RiskState]:
    """Every state reachable from `start` on `track` (the tests use it to prove no dead ends)."""
    seen = {start}
    frontier: list[RiskState] = [start]
    while frontier:
        state = frontier.pop()
        for row in TRANSITIONS:
            if row.source == state and track in row.tracks and row.target not in seen:
                seen.add(row.target)
                frontier.append(row.target)
    return seen


def all_moves() -> Iterable[tuple[RiskState, Action, Track]]:
    """Every (state, action, track) combination, legal or not (for exhaustive tests)."""
    for state in RiskState:
        for action in Action:
            for track in Track:
                yield state, action, track
