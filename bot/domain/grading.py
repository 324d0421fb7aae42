"""The grading rule (科学定级): five factors → a score → a suggested level, with its reason.

Each risk point is scored 1–5 on five factors taken from the programme's method (以点定级):

=============  =======================================================  ==============
factor         meaning                                                  default weight
=============  =======================================================  ==============
importance     importance of the power (权力的重要程度)                  1
discretion     size of discretion (自由裁量权的大小)                      1
public         public attention / closeness to people's lives            1
               (社会关注度、与群众生产生活相关程度)
likelihood     likelihood the risk occurs (发生率)                       1.5
harm           harm if it does (危害程度)                                1.5
=============  =======================================================  ==============

The score is the weighted mean of the five factors, so it stays on the same 1–5 scale
whatever the weights (changing a weight never forces new thresholds). The suggested level:

* score ≥ ``grading_level1_min`` (default 3.8) → 一级 (high);
* score ≥ ``grading_level2_min`` (default 2.6) → 二级 (medium);
* otherwise 三级 (low).

Focus-programme risks (惠民项目, e.g. 农村低保) are graded at least
``grading_focus_min_level`` (default 2, i.e. at least 二级; 3 switches the floor off).

The rule is monotone — raising any factor never lowers the level — because the weights are
non-negative, the thresholds are compared with ≥, and the focus floor only ever raises.
Arithmetic is exact (fractions) so a score sitting on a threshold is never misjudged by a
rounding error. The suggestion is only a suggestion: the approving tier may set another level
with a reason (see ``bot/domain/risk_workflow.py``).

No aiogram here: the reason is returned as catalog keys and values; callers render it with
``explain(grade, gettext)`` in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from bot.domain.keys import N_

FACTOR_MIN = 1
FACTOR_MAX = 5
LEVELS: tuple[int, ...] = (1, 2, 3)  # 一级 (high) … 三级 (low)


class Factor(StrEnum):
    """The five grading factors, in the order they are asked and shown."""

    IMPORTANCE = "importance"
    DISCRETION = "discretion"
    PUBLIC = "public"
    LIKELIHOOD = "likelihood"
    HARM = "harm"


FACTORS: tuple[Factor, ...] = tuple(Factor)

DEFAULT_WEIGHTS: dict[str, float] = {
    Factor.IMPORTANCE.value: 1.0,
    Factor.DISCRETION.value: 1.0,
    Factor.PUBLIC.value: 1.0,
    # Likelihood and harm are the classic risk pair; they weigh a little more.
    Factor.LIKELIHOOD.value: 1.5,
    Factor.HARM.value: 1.5,
}
DEFAULT_LEVEL1_MIN = 3.8
DEFAULT_LEVEL2_MIN = 2.6
DEFAULT_FOCUS_MIN_LEVEL = 2


class GradingConfigError(ValueError):
    """The configured weights or thresholds make no sense (raised at start-up, not per risk)."""


@dataclass(frozen=True)
class Factors:
    """A risk point's five factor values, each 1–5."""

    importance: int
    discretion: int
    public: int
    likelihood: int
    harm: int

    def __post_init__(self) -> None:
        for factor in FACTORS:
            value = getattr(self, factor.value)
            if not isinstance(value, int) or not FACTOR_MIN <= value <= FACTOR_MAX:
                raise ValueError(f"{factor.value} must be an integer 1–5, not {value!r}")

    def value(self, factor: Factor) -> int:
        return int(getattr(self, factor.value))

    def as_dict(self) -> dict[str, int]:
        return {factor.value: self.value(factor) for factor in FACTORS}

    @classmethod
    def from_mapping(cls, values: Mapping[str, int]) -> Factors:
        """From a dict keyed by factor name (missing or extra keys are an error)."""
        names = {factor.value for factor in FACTORS}
        if set(values) != names:
            raise ValueError(f"grading factors must be exactly {sorted(names)}")
        return cls(**{factor.value: values[factor.value] for factor in FACTORS})


def _exact(number: float | int | str) -> Fraction:
    # Through str so that 3.8 means 19/5, not the binary float nearest to it.
    return Fraction(str(number))


@dataclass(frozen=True)
class GradingRule:
    """Weights and thresholds; build with `from_settings` or `default`."""

    weights: Mapping[Factor, Fraction]
    level1_min: Fraction
    level2_min: Fraction
    focus_min_level: int = DEFAULT_FOCUS_MIN_LEVEL

    def __post_init__(self) -> None:
        if set(self.weights) != set(FACTORS):
            raise GradingConfigError("grading weights must name exactly the five factors")
        if any(weight < 0 for weight in self.weights.values()):
            raise GradingConfigError("grading weights must not be negative")
        if sum(self.weights.values()) <= 0:
            raise GradingConfigError("at least one grading weight must be positive")
        if not FACTOR_MIN <= self.level2_min <= self.level1_min <= FACTOR_MAX:
            raise GradingConfigError("thresholds must satisfy 1 ≤ level2_min ≤ level1_min ≤ 5")
        if self.focus_min_level not in LEVELS:
            raise GradingConfigError("grading_focus_min_level must be 1, 2 or 3")

    @classmethod
    def build(
        cls,
        weights: Mapping[str, float | int] | None = None,
        level1_min: float = DEFAULT_LEVEL1_MIN,
        level2_min: float = DEFAULT_LEVEL2_MIN,
        focus_min_level: int = DEFAULT_FOCUS_MIN_LEVEL,
    ) -> GradingRule:
        """A rule from plain numbers; weights keyed by factor name, defaults for those missing."""
        merged = dict(DEFAULT_WEIGHTS)
        for name, weight in (weights or {}).items():
            if name not in merged:
                raise GradingConfigError(f"unknown grading factor in weights: {name}")
            merged[name] = weight
        return cls(
            weights={Factor(name): _exact(weight) for name, weight in merged.items()},
            level1_min=_exact(level1_min),
            level2_min=_exact(level2_min),
            focus_min_level=focus_min_level,
        )

    @classmethod
    def default(cls) -> GradingRule:
        return cls.build()

    @classmethod
    def from_settings(cls, settings: Any) -> GradingRule:
        """From `Settings` (duck-typed so this module needs no settings import)."""
        return cls.build(
            settings.grading_weights,
            settings.grading_level1_min,
            settings.grading_level2_min,
            settings.grading_focus_min_level,
        )

    def score(self, factors: Factors) -> Fraction:
        """The weighted mean of the factors, exactly, on the 1–5 scale."""
        total = sum(self.weights.values(), Fraction(0))
        return sum((self.weights[f] * factors.value(f) for f in FACTORS), Fraction(0)) / total

    def level_for_score(self, score: Fraction) -> int:
        if score >= self.level1_min:
            return 1
        if score >= self.level2_min:
            return 2
        return 3


@dataclass(frozen=True)
class Grade:
    """The outcome: score, suggested level, and what it rests on."""

    factors: Factors
    score: Fraction
    level: int  # suggested: 1 一级 (high), 2 二级, 3 三级 (low)
    score_level: int  # the level the score alone gives
    focus: bool
    focus_raised: bool  # the focus-programme floor lifted the level above the score's

    @property
    def score_text(self) -> str:
        """The score with one decimal, as shown to people (the comparison used the exact one)."""
        exact = Decimal(self.score.numerator) / Decimal(self.score.denominator)
        # Half up, as people round (3.25 → 3.3), not the float default of half to even.
        return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    def drivers(self, rule: GradingRule) -> list[Factor]:
        """The factors by their pull on the score, largest first (ties in asking order)."""
        return sorted(
            FACTORS, key=lambda f: (-(rule.weights[f] * self.factors.value(f)), FACTORS.index(f))
        )


def grade_risk(factors: Factors, rule: GradingRule | None = None, *, focus: bool = False) -> Grade:
    """Grade a risk point: the suggested level and the score behind it.

    `focus` marks a focus-programme (惠民项目) risk, which is lifted to at least the configured
    level. Level numbers are ordered so that *smaller is more severe*; "at least 二级" is
    therefore ``min(level, 2)``.
    """
    rule = rule or GradingRule.default()
    score = rule.score(factors)
    score_level = rule.level_for_score(score)
    level = min(score_level, rule.focus_min_level) if focus else score_level
    return Grade(
        factors=factors,
        score=score,
        level=level,
        score_level=score_level,
        focus=focus,
        focus_raised=level < score_level,
    )


def suggested_level(
    factors: Mapping[str, int] | Factors, rule: GradingRule | None = None, *, focus: bool = False
) -> int:
    """Only the level (1/2/3): the plain function the register's declaration flow calls."""
    if not isinstance(factors, Factors):
        factors = Factors.from_mapping(factors)
    return grade_risk(factors, rule, focus=focus).level


# Catalog keys. Rendering lives with the caller's gettext so this module stays pure.
LEVEL_KEYS: dict[int, str] = {
    1: N_("grading.level.1"),
    2: N_("grading.level.2"),
    3: N_("grading.level.3"),
}
FACTOR_KEYS: dict[Factor, str] = {
    Factor.IMPORTANCE: N_("grading.factor.importance"),
    Factor.DISCRETION: N_("grading.factor.discretion"),
    Factor.PUBLIC: N_("grading.factor.public"),
    Factor.LIKELIHOOD: N_("grading.factor.likelihood"),
    Factor.HARM: N_("grading.factor.harm"),
}


def level_key(level: int) -> str:
    """The catalog key naming a level: `grading.level.1` → 一级（高）."""
    if level not in LEVEL_KEYS:
        raise ValueError(f"no such level: {level}")
    return LEVEL_KEYS[level]


def factor_key(factor: Factor) -> str:
    """The short name of a factor: `grading.factor.harm` → 危害程度."""
    return FACTOR_KEYS[factor]


def explain(grade: Grade, gettext: Callable[[str], str], rule: GradingRule | None = None) -> str:
    """The reason in words, e.g. "建议定为二级（得分 3.2）：危害程度 4，自由裁量权 4，…".

    `gettext` is the reader's translation function (aiogram's `_` in a handler, or
    `lambda key: translate(key, locale)` when writing to someone else).
    """
    rule = rule or GradingRule.default()
    separator = gettext("grading.separator")
    parts = [
        gettext("grading.factor_value").format(
            factor=gettext(factor_key(factor)), value=grade.factors.value(factor)
        )
        for factor in grade.drivers(rule)
    ]
    text = gettext("grading.reason").format(
        level=gettext(level_key(grade.level)),
        score=grade.score_text,
        factors=separator.join(parts),
    )
    if grade.focus_raised:
        text += gettext("grading.reason_focus").format(level=gettext(level_key(grade.level)))
    return text


def suggestion(grade: Grade, gettext: Callable[[str], str]) -> str:
    """The suggested level and score without the factors, for a card that lists them already:
    "建议定为二级（得分 3.2）"."""
    text = gettext("grading.suggestion").format(
        level=gettext(level_key(grade.level)), score=grade.score_text
    )
    if grade.focus_raised:
        text += gettext("grading.reason_focus").format(level=gettext(level_key(grade.level)))
    return text
