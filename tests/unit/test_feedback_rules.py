"""The feedback rules on their own: the transition table, receipt codes, text, ladder, figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import feedback as fb
from bot.domain import feedback_figures as figs
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.feedback import Action, Actor, Kind, Rating, State, Step

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DAYS5 = timedelta(days=5)


# --- the table ----------------------------------------------------------------------------


def test_every_move_has_its_audit_action_name() -> None:
    assert set(fb.AUDIT_ACTIONS) == set(Action)
    assert len(set(fb.AUDIT_ACTIONS.values())) == len(Action)
    assert fb.AUDIT_ACTIONS[Action.MARK_DUPLICATE] == "feedback.mark_duplicate"


def test_an_official_answers_a_received_item() -> None:
    row = fb.check(State.RECEIVED, Action.ANSWER, {Actor.REVIEWER}, reason="已核实，正在整改")
    assert row.target is State.ANSWERED


def test_an_answer_needs_text() -> None:
    with pytest.raises(ServiceError) as caught:
        fb.check(State.RECEIVED, Action.ANSWER, {Actor.COMMISSION}, reason="  ")
    assert caught.value.key == "feedback.reason_required"


def test_a_handled_item_cannot_be_answered_again_whoever_asks() -> None:
    for state in (State.ANSWERED, State.REOPENED, State.DUPLICATE, State.HIDDEN, State.CLOSED):
        with pytest.raises(ServiceError) as caught:
            fb.check(state, Action.ANSWER, {Actor.COMMISSION}, reason="x")
        assert caught.value.key == "feedback.already_handled"


def test_a_sender_cannot_answer_and_an_official_cannot_rate() -> None:
    with pytest.raises(NotAllowed):
        fb.check(State.RECEIVED, Action.ANSWER, {Actor.SENDER}, reason="x")
    with pytest.raises(NotAllowed):
        fb.check(State.ANSWERED, Action.RATE, {Actor.REVIEWER})
    with pytest.raises(NotAllowed):
        fb.check(State.RECEIVED, Action.HIDE, set(), reason="广告")


def test_only_the_scheduler_climbs_the_ladder_and_only_the_commission_disposes() -> None:
    for action in (Action.REMIND, Action.ESCALATE, Action.ALERT):
        assert fb.check(State.RECEIVED, action, {Actor.SCHEDULER}).target is State.RECEIVED
        with pytest.raises(NotAllowed):
            fb.check(State.RECEIVED, action, {Actor.REVIEWER})
    assert fb.check(State.RECEIVED, Action.DISPOSE, {Actor.COMMISSION}).target is State.RECEIVED
    with pytest.raises(NotAllowed):
        fb.check(State.RECEIVED, Action.DISPOSE, {Actor.REVIEWER})
    closed = fb.check(State.RECEIVED, Action.CLOSE, {Actor.COMMISSION}, reason="已另案处理")
    assert closed.target is State.CLOSED


def test_every_state_but_the_final_ones_can_be_left() -> None:
    leaving = {row.source for row in fb.TRANSITIONS if row.target != row.source}
    assert leaving == {State.RECEIVED, State.ANSWERED}


def test_unsatisfied_goes_up_once() -> None:
    assert fb.rating_action(Rating.UNSATISFIED, appealed_before=False) is Action.APPEAL
    assert fb.rating_action(Rating.UNSATISFIED, appealed_before=True) is Action.RATE
    assert fb.rating_action(Rating.SATISFIED, appealed_before=False) is Action.RATE
    assert fb.check(State.ANSWERED, Action.APPEAL, {Actor.SENDER}).target is State.RECEIVED


def test_what_buttons_an_official_gets() -> None:
    assert fb.available(State.RECEIVED, {Actor.REVIEWER}) == [
        Action.ANSWER,
        Action.REOPEN_RISK,
        Action.MARK_DUPLICATE,
        Action.HIDE,
    ]
    assert fb.available(State.ANSWERED, {Actor.REVIEWER}) == []


def test_every_kind_state_rating_and_disposition_has_words() -> None:
    assert set(fb.KIND_KEYS) == set(Kind)
    assert set(fb.STATE_KEYS) == set(State)
    assert set(fb.RATING_KEYS) == set(Rating)
    assert set(fb.DISPOSITION_KEYS) == set(fb.Disposition)


# --- receipt codes ------------------------------------------------------------------------


def test_codes_are_readable_and_carry_forty_bits() -> None:
    codes = {fb.new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 2^40 possibilities: a clash here would be a bug
    for code in codes:
        assert re.fullmatch(r"QF-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
        assert not set(code[3:]) & set("01OI")
    assert len(fb.CODE_ALPHABET) ** fb.CODE_SYMBOLS >= 2**40


def test_codes_are_not_sequential() -> None:
    first, second = fb.new_code(), fb.new_code()
    assert first != second
    # Every symbol position varies across codes (a counter would keep the first ones fixed).
    codes = [fb.new_code() for _ in range(200)]
    for position in range(3, 12):
        if position == 7:
            continue
        assert len({code[position] for code in codes}) > 10


def test_a_typed_code_is_forgiven_its_case_and_spacing() -> None:
    assert fb.normalize_code("qf-7k3m-9x2p") == "QF-7K3M-9X2P"
    assert fb.normalize_code(" QF 7K3M 9X2P ") == "QF-7K3M-9X2P"
    assert fb.normalize_code("7K3M9X2P") == "QF-7K3M-9X2P"
    for bad in ("", "QF-7K3M", "QF-0K3M-9X2P", "QF-IK3M-9X2P", "QF-7K3M-9X2P-1", "hello"):
        assert fb.normalize_code(bad) is None


# --- text ---------------------------------------------------------------------------------


def test_text_limits_say_the_rule() -> None:
    with pytest.raises(ServiceError) as short:
        fb.check_text("太短了")
    assert short.value.key == "feedback.text_too_short"
    assert short.value.values == {"min": 10, "n": 3}
    with pytest.raises(ServiceError) as long:
        fb.check_text("很" * 2001)
    assert long.value.key == "feedback.text_too_long"
    assert fb.check_text("很" * 2000) == "很" * 2000
    assert fb.check_text("  审批时间过长，群众多次往返。  ") == "审批时间过长，群众多次往返。"


@pytest.mark.parametrize(
    "text",
    [
        "详情请看 https://example.com/abc 这里说明",
        "请访问 www.example.org 了解更多情况",
        "加群 t.me/somegroup 一起讨论此事",
        "网站 fake-bank.cn 上有证据材料",
    ],
)
def test_links_are_refused(text: str) -> None:
    with pytest.raises(ServiceError) as caught:
        fb.check_text(text)
    assert caught.value.key == "feedback.no_links"


def test_a_link_entity_is_refused_even_when_the_text_hides_it() -> None:
    with pytest.raises(ServiceError):
        fb.check_text("请点这里查看全部证据材料", has_link_entity=True)


def test_ordinary_text_with_dots_and_numbers_passes() -> None:
    assert fb.check_text("2026.11.3 上午十点在窗口等了两个小时")


def test_identical_means_the_same_words() -> None:
    assert fb.dedup_key("审批时间 过长，多次往返") == fb.dedup_key("审批时间过长，多次往返 ")
    assert fb.dedup_key("Too Slow at the window") == fb.dedup_key("too slow at the  window")
    assert fb.dedup_key("审批时间过长") != fb.dedup_key("审批时间太长")


def test_a_reason_is_required_and_bounded() -> None:
    assert fb.check_reason(" 广告 ") == "广告"
    with pytest.raises(ServiceError):
        fb.check_reason("")
    with pytest.raises(ServiceError) as caught:
        fb.check_reason("x" * 501)
    assert caught.value.key == "feedback.reason_too_long"


# --- the ladder ---------------------------------------------------------------------------


def test_the_ladder_climbs_once_per_step() -> None:
    assert fb.step_due(T0, T0 + timedelta(days=3), DAYS5, Step.NONE) is None
    assert fb.step_due(T0, T0 + timedelta(days=4), DAYS5, Step.NONE) is Step.REMINDER
    assert fb.step_due(T0, T0 + timedelta(days=4, hours=5), DAYS5, Step.REMINDER) is None
    assert fb.step_due(T0, T0 + DAYS5, DAYS5, Step.REMINDER) is Step.OVERDUE
    assert fb.step_due(T0, T0 + timedelta(days=7), DAYS5, Step.OVERDUE) is None
    assert fb.step_due(T0, T0 + timedelta(days=10), DAYS5, Step.OVERDUE) is Step.COMMISSION
    assert fb.step_due(T0, T0 + timedelta(days=30), DAYS5, Step.COMMISSION) is None


def test_after_downtime_only_the_highest_step_fires() -> None:
    assert fb.step_due(T0, T0 + timedelta(days=11), DAYS5, Step.NONE) is Step.COMMISSION


def test_a_one_day_deadline_reminds_half_way() -> None:
    day = timedelta(days=1)
    assert fb.step_due(T0, T0 + timedelta(hours=11), day, Step.NONE) is None
    assert fb.step_due(T0, T0 + timedelta(hours=12), day, Step.NONE) is Step.REMINDER


# --- /track rate limit ----------------------------------------------------------------------


def test_wrong_codes_are_limited_with_a_wait() -> None:
    misses = [T0 + timedelta(minutes=i) for i in range(4)]
    assert fb.track_wait(misses, T0 + timedelta(minutes=4)) is None
    misses.append(T0 + timedelta(minutes=4))
    wait = fb.track_wait(misses, T0 + timedelta(minutes=5))
    assert wait == timedelta(minutes=10)
    assert fb.minutes_to_wait(wait) == 10
    assert fb.track_wait(misses, T0 + timedelta(minutes=15)) is None
    assert fb.minutes_to_wait(timedelta(seconds=5)) == 1


# --- figures ------------------------------------------------------------------------------


def _row(kind: Kind, state: State, hours: float | None, rating: Rating | None = None) -> figs.Row:
    responded = T0 + timedelta(hours=hours) if hours is not None else None
    return figs.Row(1, kind, state, T0, responded, rating)


def test_figures_add_up() -> None:
    rows = [
        _row(Kind.COMMENT, State.ANSWERED, 10, Rating.SATISFIED),
        _row(Kind.COMMENT, State.ANSWERED, 30, Rating.UNSATISFIED),
        _row(Kind.OBJECTION, State.REOPENED, 200),
        _row(Kind.MISCONDUCT, State.RECEIVED, None),
        _row(Kind.COMMENT, State.HIDDEN, None),
    ]
    figures = figs.summarise(rows, DAYS5)
    assert figures.total == 5
    assert figures.by_kind == {Kind.COMMENT: 3, Kind.OBJECTION: 1, Kind.MISCONDUCT: 1}
    assert figures.by_state[State.ANSWERED] == 2 and figures.by_state[State.RECEIVED] == 1
    assert figures.by_kind_state[(Kind.COMMENT, State.ANSWERED)] == 2
    assert sum(figures.by_kind_state.values()) == figures.total
    assert figures.responded == 3 and figures.responded_on_time == 2
    assert figures.median_hours_to_answer == 30
    assert figures.on_time_share == pytest.approx(2 / 3)
    assert figures.ratings[Rating.SATISFIED] == 1 and figures.satisfaction_share == 0.5


def test_no_feedback_gives_empty_figures_not_errors() -> None:
    figures = figs.summarise([], DAYS5)
    assert figures.total == 0
    assert figures.median_hours_to_answer is None
    assert figures.on_time_share is None and figures.satisfaction_share is None


def test_only_the_senders_module_reads_who_sent_feedback() -> None:
    """The anonymity guarantee in code: officials' screens cannot join to the sender."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = sorted(
        str(path.relative_to(root))
        for folder in ("bot", "handlers")
        for path in (root / folder).rglob("*.py")
        if "FeedbackSender" in path.read_text(encoding="utf-8")
    )
    assert readers == ["bot/services/feedback/senders.py"]
