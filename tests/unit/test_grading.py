"""The grading rule: a table of cases, monotonicity (property), focus floor, configuration."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.grading import (
    FACTORS,
    Factor,
    Factors,
    GradingConfigError,
    GradingRule,
    explain,
    grade_risk,
    suggested_level,
)
from bot.i18n import translate
from bot.settings import Settings

DEFAULT = GradingRule.default()


@pytest.mark.parametrize(
    ("values", "score", "level"),
    [
        ((1, 1, 1, 1, 1), "1.0", 3),
        ((2, 2, 2, 2, 2), "2.0", 3),
        ((3, 2, 2, 2, 3), "2.4", 3),
        ((3, 3, 3, 3, 3), "3.0", 2),
        ((3, 4, 3, 3, 4), "3.4", 2),
        ((1, 1, 1, 5, 5), "3.0", 2),  # likely and harmful but a minor power: 二级
        ((4, 4, 4, 4, 4), "4.0", 1),
        ((3, 3, 3, 5, 5), "4.0", 1),
        ((5, 5, 5, 5, 5), "5.0", 1),
        ((5, 5, 5, 1, 1), "3.0", 2),
    ],
)
def test_table_of_cases(values: tuple[int, ...], score: str, level: int) -> None:
    grade = grade_risk(Factors(*values))
    assert grade.score_text == score
    assert grade.level == level


def test_a_score_on_a_threshold_takes_the_higher_level_exactly() -> None:
    # (2+2+2+3*1.5+3*1.5)/6 = 15/6 = 2.5; with level2_min 2.5 it must be 二级, no float slop.
    rule = GradingRule.build(level2_min=2.5)
    grade = grade_risk(Factors(2, 2, 2, 3, 3), rule)
    assert grade.score == Fraction(5, 2)
    assert grade.level == 2
    # 3.8 exactly: weights all 1, factors summing to 19.
    rule = GradingRule.build({f.value: 1 for f in FACTORS})
    assert grade_risk(Factors(4, 4, 4, 4, 3), rule).level == 1


factor_values = st.integers(min_value=1, max_value=5)
weights = st.fixed_dictionaries(
    {f.value: st.sampled_from([0, 0.5, 1, 1.5, 2, 3]) for f in FACTORS}
).filter(lambda w: sum(w.values()) > 0)
thresholds = st.tuples(
    st.sampled_from([1, 1.5, 2, 2.6, 3, 3.5]), st.sampled_from([0, 0.4, 0.8, 1.2, 2])
)


@given(
    values=st.tuples(*[factor_values] * 5),
    factor=st.sampled_from(FACTORS),
    weights=weights,
    cut=thresholds,
    focus=st.booleans(),
    focus_min=st.sampled_from([1, 2, 3]),
)
def test_raising_any_factor_never_lowers_the_level(
    values: tuple[int, ...],
    factor: Factor,
    weights: dict[str, float],
    cut: tuple[float, float],
    focus: bool,
    focus_min: int,
) -> None:
    level2_min, gap = cut
    rule = GradingRule.build(weights, min(5, level2_min + gap), level2_min, focus_min)
    before = Factors(*values)
    if before.value(factor) == 5:
        return
    after = Factors.from_mapping(before.as_dict() | {factor.value: before.value(factor) + 1})
    # Smaller level numbers are more severe: "never lower" means the number never grows.
    assert (
        grade_risk(after, rule, focus=focus).level <= grade_risk(before, rule, focus=focus).level
    )
    assert rule.score(after) >= rule.score(before)


@given(values=st.tuples(*[factor_values] * 5))
def test_focus_never_lowers_and_lifts_to_the_floor(values: tuple[int, ...]) -> None:
    plain = grade_risk(Factors(*values))
    focus = grade_risk(Factors(*values), focus=True)
    assert focus.level == min(plain.level, 2)
    assert focus.focus_raised == (plain.level == 3)


def test_focus_floor_can_be_switched_off_or_raised() -> None:
    low = Factors(1, 1, 1, 1, 1)
    assert grade_risk(low, GradingRule.build(focus_min_level=3), focus=True).level == 3
    assert grade_risk(low, GradingRule.build(focus_min_level=1), focus=True).level == 1


def test_weights_move_the_score() -> None:
    factors = Factors(1, 1, 1, 1, 5)
    assert grade_risk(factors).level == 3
    harm_heavy = GradingRule.build({"harm": 20})
    assert grade_risk(factors, harm_heavy).level == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": {"harm": -1}},
        {"weights": {f.value: 0 for f in FACTORS}},
        {"weights": {"luck": 1}},
        {"level1_min": 2.0, "level2_min": 3.0},
        {"level1_min": 6},
        {"level2_min": 0.5},
        {"focus_min_level": 4},
    ],
)
def test_nonsense_configuration_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(GradingConfigError):
        GradingRule.build(**kwargs)  # type: ignore[arg-type]


def test_settings_carry_the_rule_and_refuse_nonsense() -> None:
    settings = Settings(_env_file=None, grading_weights={"harm": 3})  # type: ignore[call-arg]
    rule = GradingRule.from_settings(settings)
    assert rule.weights[Factor.HARM] == 3 and rule.weights[Factor.DISCRETION] == 1
    with pytest.raises(ValueError, match="level"):
        Settings(_env_file=None, grading_level1_min=2, grading_level2_min=3)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        Settings(_env_file=None, review_tier_by_level={1: "mayor", 2: "bureau", 3: "bureau"})  # type: ignore[call-arg]


def test_factor_values_are_checked() -> None:
    with pytest.raises(ValueError):
        Factors(0, 1, 1, 1, 1)
    with pytest.raises(ValueError):
        Factors.from_mapping({"importance": 1})
    assert (
        suggested_level(
            {"importance": 4, "discretion": 4, "public": 4, "likelihood": 4, "harm": 4}
        )
        == 1
    )


def test_reason_in_words_in_both_languages() -> None:
    grade = grade_risk(Factors(importance=3, discretion=4, public=2, likelihood=3, harm=4))
    zh = explain(grade, lambda key: translate(key, "zh"))
    assert zh == (
        "建议定为二级（得分 3.3）："
        "危害程度 4，发生概率 3，自由裁量权 4，权力重要程度 3，社会关注度 2"
    )
    en = explain(grade, lambda key: translate(key, "en"))
    assert en.startswith("Suggested: Level 2 (medium), score 3.3 — harm 4, likelihood 3")


def test_reason_says_when_the_focus_floor_lifted_the_level() -> None:
    grade = grade_risk(Factors(1, 1, 1, 1, 1), focus=True)
    assert explain(grade, lambda key: translate(key, "zh")).endswith("；惠民项目风险至少定为二级")
