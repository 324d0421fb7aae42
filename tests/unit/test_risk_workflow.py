"""The risk state machine: every legal move succeeds for its actors, every other is refused."""

from __future__ import annotations

import pytest

from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.risk_workflow import (
    TRANSITIONS,
    Action,
    Actor,
    IllegalTransition,
    RiskState,
    Track,
    all_moves,
    available,
    check,
    find,
    states_reachable,
    track_for,
)

S, A = RiskState, Action
LEGAL = {
    (row.source, row.action, track): row for row in TRANSITIONS for track in sorted(row.tracks)
}


def _id(move: tuple[RiskState, Action, Track]) -> str:
    return "-".join(part.value for part in move)


@pytest.mark.parametrize("move", list(LEGAL), ids=_id)
def test_every_legal_move_is_open_to_its_actors_and_closed_to_others(
    move: tuple[RiskState, Action, Track],
) -> None:
    state, action, track = move
    row = LEGAL[move]
    for actor in Actor:
        if actor in row.actors:
            assert check(state, action, {actor}, track=track, comment="why") is row
        else:
            with pytest.raises(NotAllowed) as refused:
                check(state, action, {actor}, track=track, comment="why")
            assert refused.value.key == "workflow.actor_not_allowed"
    with pytest.raises(NotAllowed):
        check(state, action, set(), track=track, comment="why")


ILLEGAL = [move for move in all_moves() if move not in LEGAL]


@pytest.mark.parametrize("move", ILLEGAL, ids=_id)
def test_every_illegal_move_is_refused_whoever_asks(
    move: tuple[RiskState, Action, Track],
) -> None:
    state, action, track = move
    with pytest.raises(IllegalTransition) as refused:
        check(state, action, set(Actor), track=track, comment="why")
    assert refused.value.key == f"workflow.illegal.{state.value}"
    assert isinstance(refused.value, ServiceError)


def test_the_table_covers_a_fair_share_of_moves() -> None:
    # A guard against a table accidentally emptied by an edit.
    assert len(LEGAL) > 40 and len(ILLEGAL) > 500


@pytest.mark.parametrize(
    "row", [row for row in TRANSITIONS if row.needs_comment], ids=lambda r: r.action.value
)
def test_returns_disputes_and_reopens_need_a_comment(row: object) -> None:
    source, action = row.source, row.action  # type: ignore[attr-defined]
    track = next(iter(row.tracks))  # type: ignore[attr-defined]
    actor = next(iter(row.actors))  # type: ignore[attr-defined]
    with pytest.raises(ServiceError) as refused:
        check(source, action, {actor}, track=track, comment="  ")
    assert refused.value.key == "workflow.comment_required"


def test_the_five_steps_in_order_for_an_ordinary_post() -> None:
    path = [
        (A.SUBMIT, Actor.HOLDER, S.SUBMITTED),
        (A.OPEN_SOCIAL, Actor.SCHEDULER, S.SOCIAL_REVIEW),
        (A.COMMENT, Actor.COLLEAGUE, S.SOCIAL_REVIEW),
        (A.CLOSE_SOCIAL, Actor.SCHEDULER, S.GRADED_REVIEW),
        (A.PASS_REVIEW, Actor.REVIEWER, S.ORG_APPROVAL),
        (A.APPROVE, Actor.APPROVER, S.APPROVED),
        (A.PUBLICISE, Actor.SCHEDULER, S.PUBLICISED),
        (A.REGRADING_DUE, Actor.SCHEDULER, S.REGRADING_DUE),
        (A.RESUBMIT, Actor.HOLDER, S.GRADED_REVIEW),
    ]
    state = S.DRAFT
    for action, actor, target in path:
        state = check(state, action, {actor}).target
        assert state == target


def test_the_three_steps_for_a_leadership_post() -> None:
    track = Track.LEADERSHIP
    state = S.DRAFT
    for action in (A.SUBMIT, A.RECORD_DISCUSSION, A.SELF_CONFIRM):
        state = check(state, action, {Actor.HOLDER}, track=track).target
    assert state == S.STANDING_COMMITTEE
    # Only the commission decides (常委定); a unit reviewer or approver cannot.
    with pytest.raises(NotAllowed):
        check(state, A.APPROVE, {Actor.REVIEWER, Actor.APPROVER}, track=track)
    assert check(state, A.APPROVE, {Actor.COMMISSION}, track=track).target == S.APPROVED
    # Leadership records skip social and graded review.
    with pytest.raises(IllegalTransition):
        check(S.SUBMITTED, A.OPEN_SOCIAL, {Actor.SCHEDULER}, track=track)


def test_returned_resubmits_to_the_start_of_its_track() -> None:
    assert find(S.RETURNED, A.RESUBMIT, Track.ORDINARY).target == S.SUBMITTED  # type: ignore[union-attr]
    assert (
        find(S.RETURNED, A.RESUBMIT, Track.LEADERSHIP).target  # type: ignore[union-attr]
        == S.COLLECTIVE_DISCUSSION
    )


def test_nobody_but_the_holder_confirms_or_disputes_a_proposal() -> None:
    assert check(S.PROPOSED, A.CONFIRM_PROPOSAL, {Actor.HOLDER}).target == S.DRAFT
    with pytest.raises(NotAllowed):
        check(S.PROPOSED, A.CONFIRM_PROPOSAL, {Actor.REVIEWER, Actor.COMMISSION})
    assert check(S.PROPOSED, A.DISPUTE, {Actor.HOLDER}, comment="不属实").target == S.DISPUTED


def test_a_stale_approval_meets_the_state_it_finds() -> None:
    with pytest.raises(IllegalTransition) as refused:
        check(S.APPROVED, A.APPROVE, {Actor.APPROVER})
    assert refused.value.key == "workflow.illegal.approved"


def test_available_offers_only_what_the_person_may_do() -> None:
    actions = {row.action for row in available(S.GRADED_REVIEW, {Actor.REVIEWER})}
    assert actions == {A.PASS_REVIEW, A.RETURN}
    assert available(S.GRADED_REVIEW, {Actor.COLLEAGUE}) == []
    holder = {row.action for row in available(S.SOCIAL_REVIEW, {Actor.HOLDER})}
    assert holder == {A.COMMENT, A.WITHDRAW}


@pytest.mark.parametrize("track", list(Track))
def test_no_dead_ends_every_live_state_can_reach_publicity_or_withdrawal(track: Track) -> None:
    for state in RiskState:
        if state == S.WITHDRAWN:
            continue
        reachable = states_reachable(state, track)
        assert S.WITHDRAWN in reachable or S.PUBLICISED in reachable, state


def test_withdrawal_is_only_before_approval() -> None:
    for state in (S.APPROVED, S.PUBLICISED, S.REGRADING_DUE, S.WITHDRAWN):
        with pytest.raises(ServiceError):
            check(state, A.WITHDRAW, {Actor.HOLDER})
    assert check(S.ORG_APPROVAL, A.WITHDRAW, {Actor.HOLDER}).target == S.WITHDRAWN


def test_track_for() -> None:
    assert track_for(True) is Track.LEADERSHIP and track_for(False) is Track.ORDINARY
