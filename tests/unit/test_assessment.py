"""The annual assessment's pure rule: scores, breakdown, ranking, weights, its state table."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.assessment import (
    DEFAULT_WEIGHTS,
    INDICATORS,
    NO_DATA,
    AssessmentAction,
    AssessmentConfigError,
    AssessmentState,
    Count,
    Indicator,
    next_state,
    parse_weights,
    points,
    rank,
    score,
)
from bot.domain.errors import ServiceError

WEIGHTS = parse_weights({})


def test_defaults_sum_to_a_hundred_and_cover_every_indicator() -> None:
    assert set(DEFAULT_WEIGHTS) == {i.value for i in INDICATORS}
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_perfect_unit_scores_a_hundred_and_loses_nothing() -> None:
    result = score({i: Count(4, 4) for i in INDICATORS}, WEIGHTS)
    assert result.value == 100
    assert all(line.lost == 0 for line in result.lines)


def test_breakdown_says_which_indicator_cost_how_many_points() -> None:
    counts = {i: Count(1, 1) for i in INDICATORS}
    counts[Indicator.COVERAGE] = Count(3, 4)  # a quarter of 30 points
    counts[Indicator.MEASURES_ON_TIME] = Count(0, 5)  # all of 25
    result = score(counts, WEIGHTS)
    lost = {line.indicator: line.lost for line in result.lines}
    assert lost[Indicator.COVERAGE] == Fraction(15, 2)
    assert lost[Indicator.MEASURES_ON_TIME] == 25
    assert result.value == Fraction(135, 2)
    assert points(result.value) == "67.5"


def test_no_data_is_left_out_and_the_rest_rescaled() -> None:
    counts = {
        Indicator.COVERAGE: Count(1, 2),
        Indicator.MEASURES_ON_TIME: Count(2, 2),
        Indicator.FEEDBACK_ON_TIME: NO_DATA,
    }
    result = score(counts, WEIGHTS)
    # 30·½ + 25·1 over 55 weight → 40/55 of 100
    assert result.value == Fraction(4000, 55)
    lines = {line.indicator: line for line in result.lines}
    assert lines[Indicator.FEEDBACK_ON_TIME].lost is None
    assert lines[Indicator.SATISFACTION].count == NO_DATA
    assert sum(line.lost for line in result.lines if line.lost is not None) + result.value == 100


def test_a_unit_without_any_data_has_no_score() -> None:
    assert score({}, WEIGHTS).value is None


def test_weights_overlay_the_defaults_and_refuse_nonsense() -> None:
    weights = parse_weights({"publicity": 0, "coverage": 10})
    assert weights[Indicator.PUBLICITY] == 0
    assert weights[Indicator.COVERAGE] == 10
    assert weights[Indicator.SATISFACTION] == 10
    with pytest.raises(AssessmentConfigError, match="unknown indicator"):
        parse_weights({"speed": 1})
    with pytest.raises(AssessmentConfigError, match="negative"):
        parse_weights({"coverage": -1})
    with pytest.raises(AssessmentConfigError, match="positive"):
        parse_weights(dict.fromkeys(DEFAULT_WEIGHTS, 0))


def test_zero_weight_indicator_costs_nothing() -> None:
    weights = parse_weights({"publicity": 0})
    counts = {Indicator.COVERAGE: Count(1, 1), Indicator.PUBLICITY: Count(0, 9)}
    assert score(counts, weights).value == 100


def test_count_refuses_impossible_pairs() -> None:
    with pytest.raises(ValueError):
        Count(3, 2)
    with pytest.raises(ValueError):
        Count(-1, 2)


def test_ranking_shares_places_and_puts_no_data_last() -> None:
    ranked = rank([(1, Fraction(80)), (2, None), (3, Fraction(90)), (4, Fraction(80))])
    assert [(r.key, r.rank) for r in ranked] == [(3, 1), (1, 2), (4, 2), (2, None)]


def test_points_round_half_up() -> None:
    assert points(Fraction(875, 10)) == "87.5"
    assert points(Fraction(8725, 100)) == "87.3"
    assert points(Fraction(100)) == "100.0"
    assert points(Fraction(0)) == "0.0"


def test_confirm_moves_a_draft_once() -> None:
    assert next_state(AssessmentState.DRAFT, AssessmentAction.CONFIRM) is AssessmentState.CONFIRMED
    with pytest.raises(ServiceError) as refused:
        next_state(AssessmentState.CONFIRMED, AssessmentAction.CONFIRM)
    assert refused.value.key == "assessment.already_confirmed"


counts_pair = st.integers(min_value=1, max_value=40).flatmap(
    lambda total: st.tuples(
        st.integers(min_value=0, max_value=total),
        st.integers(min_value=0, max_value=total),
        st.just(total),
    )
)
weight_values = st.fixed_dictionaries(
    {i.value: st.integers(min_value=0, max_value=50) for i in INDICATORS}
).filter(lambda w: any(w.values()))


@given(
    pairs=st.lists(st.one_of(st.none(), counts_pair), min_size=6, max_size=6),
    raw=weight_values,
)
def test_better_on_every_indicator_never_scores_lower(
    pairs: list[tuple[int, int, int] | None], raw: dict[str, int]
) -> None:
    """Two units measured on the same indicators: the one at least as good on each, and with
    totals free to differ, never scores below the other."""
    weights = parse_weights(raw)
    better: dict[Indicator, Count] = {}
    worse: dict[Indicator, Count] = {}
    for indicator, pair in zip(INDICATORS, pairs, strict=True):
        if pair is None:
            continue
        a, b, total = pair
        high, low = max(a, b), min(a, b)
        better[indicator] = Count(high, total)
        # The worse unit may have another total, as long as its ratio is not higher.
        worse[indicator] = Count(low * 2, total * 2)
    high_score = score(better, weights).value
    low_score = score(worse, weights).value
    if high_score is None:
        assert low_score is None
        return
    assert low_score is not None
    assert 0 <= low_score <= high_score <= 100


@given(pairs=st.lists(counts_pair, min_size=6, max_size=6), raw=weight_values)
def test_score_and_losses_add_up_to_a_hundred(
    pairs: list[tuple[int, int, int]], raw: dict[str, int]
) -> None:
    weights = parse_weights(raw)
    counts = {i: Count(done, total) for i, (done, _, total) in zip(INDICATORS, pairs, strict=True)}
    result = score(counts, weights)
    assert result.value is not None
    assert result.value + sum(line.lost or 0 for line in result.lines) == 100


def test_report_periods() -> None:
    from bot.domain.report_period import (
        PeriodKind,
        month_to_date,
        quarter_to_date,
        year_period,
    )

    today = date(2026, 11, 26)
    assert year_period(2026, today).end == today
    assert year_period(2025, today).end == date(2025, 12, 31)
    assert quarter_to_date(today).start == date(2026, 10, 1)
    assert quarter_to_date(today).quarter == 4
    assert month_to_date(today).start == date(2026, 11, 1)
    assert month_to_date(today).kind is PeriodKind.MONTH
    with pytest.raises(ValueError):
        year_period(2027, today)
