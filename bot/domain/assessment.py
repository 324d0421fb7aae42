"""The annual assessment (强化考核): six indicators per unit → a score out of 100, and a ranking.

Each indicator is a count pair, *done of total*, for one unit and one year:

===================  ===========================================================  =======
indicator            done / total                                                 weight
===================  ===========================================================  =======
coverage             posts with risk points declared / posts                      30
measures_on_time     measures due in the year done by their deadline / measures    25
                     due in the year
regrading_on_time    active risk points not overdue for re-grading (定期调整) /     15
                     active risk points
feedback_on_time     feedback answered within the time limit / feedback received   15
satisfaction         answers the citizen was satisfied with / answers rated        10
publicity            approved risk points publicised (公示) / approved risk points    5
===================  ===========================================================  =======

Weights come from ``ASSESSMENT_WEIGHTS`` (JSON, like ``GRADING_WEIGHTS``; indicators left out
keep their default). An indicator whose total is 0 has **no data** (a unit nobody sent feedback
to, or a year before feedback existed): it is left out, and the score is the weighted mean of
the indicators that have data, on a 0–100 scale. So the score is comparable between units of
one year whatever the data, and the points an indicator cost, ``100·w·(1 − done/total) / Σw``,
add up with the score to 100.

The score is monotone: of two units measured on the same indicators, one at least as good on
every indicator never scores lower (weights are non-negative; a property test proves it).
Arithmetic is exact (fractions); values are rounded only for display.

No aiogram, no database, no settings here: the rule, tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bot.domain.keys import N_
from bot.domain.state_table import MoveTable


class Indicator(StrEnum):
    """The six indicators, in the order they are shown. Values are stored: never rename."""

    COVERAGE = "coverage"
    MEASURES_ON_TIME = "measures_on_time"
    REGRADING_ON_TIME = "regrading_on_time"
    FEEDBACK_ON_TIME = "feedback_on_time"
    SATISFACTION = "satisfaction"
    PUBLICITY = "publicity"


INDICATORS: tuple[Indicator, ...] = tuple(Indicator)

DEFAULT_WEIGHTS: dict[str, float] = {
    Indicator.COVERAGE.value: 30.0,
    Indicator.MEASURES_ON_TIME.value: 25.0,
    Indicator.REGRADING_ON_TIME.value: 15.0,
    Indicator.FEEDBACK_ON_TIME.value: 15.0,
    Indicator.SATISFACTION.value: 10.0,
    Indicator.PUBLICITY.value: 5.0,
}


class AssessmentConfigError(ValueError):
    """The configured weights make no sense (raised at start-up)."""


def parse_weights(raw: Mapping[str, float]) -> dict[Indicator, Fraction]:
    """The defaults overlaid with `raw`; unknown names, negative weights or all-zero refused."""
    weights = {Indicator(name): Fraction(str(value)) for name, value in DEFAULT_WEIGHTS.items()}
    for name, value in raw.items():
        try:
            indicator = Indicator(name)
        except ValueError:
            known = ", ".join(INDICATORS)
            raise AssessmentConfigError(
                f"ASSESSMENT_WEIGHTS: unknown indicator {name!r} (known: {known})"
            ) from None
        weight = Fraction(str(value))
        if weight < 0:
            raise AssessmentConfigError(f"ASSESSMENT_WEIGHTS: {name} must not be negative")
        weights[indicator] = weight
    if not any(weights.values()):
        raise AssessmentConfigError("ASSESSMENT_WEIGHTS: at least one weight must be positive")
    return weights


@dataclass(frozen=True)
class Count:
    """done of total; total 0 means no data."""

    done: int
    total: int

    def __post_init__(self) -> None:
        if self.total < 0 or not 0 <= self.done <= self.total:
            raise ValueError(f"a count needs 0 ≤ done ≤ total, got {self.done}/{self.total}")

    @property
    def has_data(self) -> bool:
        return self.total > 0

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.done, self.total) if self.total else None


NO_DATA = Count(0, 0)


@dataclass(frozen=True)
class Line:
    """One indicator of a unit's breakdown: its counts and the points it cost."""

    indicator: Indicator
    count: Count
    weight: Fraction
    lost: Fraction | None  # None: no data (left out of the score)


@dataclass(frozen=True)
class Score:
    """A unit's score (None when no indicator has data) and its breakdown."""

    value: Fraction | None
    lines: tuple[Line, ...]


def score(counts: Mapping[Indicator, Count], weights: Mapping[Indicator, Fraction]) -> Score:
    """The unit's score out of 100 from its counts (missing indicators: no data)."""
    measured = [i for i in INDICATORS if counts.get(i, NO_DATA).has_data and weights.get(i, 0) > 0]
    total_weight = sum((weights[i] for i in measured), Fraction(0))
    lines = []
    for indicator in INDICATORS:
        count = counts.get(indicator, NO_DATA)
        weight = weights.get(indicator, Fraction(0))
        lost = None
        if indicator in measured:
            assert count.ratio is not None
            lost = 100 * weight * (1 - count.ratio) / total_weight
        lines.append(Line(indicator, count, weight, lost))
    if not measured:
        return Score(None, tuple(lines))
    value = 100 - sum((line.lost for line in lines if line.lost is not None), Fraction(0))
    return Score(value, tuple(lines))


@dataclass(frozen=True)
class Ranked:
    """A unit's place: 1 for the best; units with equal scores share a place (1, 2, 2, 4)."""

    key: int
    value: Fraction | None
    rank: int | None  # None: no data to rank by


def rank(scores: Sequence[tuple[int, Fraction | None]]) -> list[Ranked]:
    """Units ordered best first (ties in the given order), those without a score last."""
    scored = sorted(((k, v) for k, v in scores if v is not None), key=lambda s: -s[1])
    ranked: list[Ranked] = []
    for position, (key, value) in enumerate(scored, start=1):
        place = position
        if ranked and ranked[-1].value == value:
            place = ranked[-1].rank or position
        ranked.append(Ranked(key, value, place))
    ranked.extend(Ranked(key, None, None) for key, value in scores if value is None)
    return ranked


def points(value: Fraction) -> str:
    """A score or a loss as people read it: one decimal, half up ("87.5")."""
    tenths = (value * 10 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}"


# --- the assessment's life: draft → confirmed ----------------------------------------------


class AssessmentState(StrEnum):
    """Stored in the database; never rename."""

    DRAFT = "draft"  # computed live from the register, may still change
    CONFIRMED = "confirmed"  # frozen: snapshot rows per unit, the register no longer moves it


class AssessmentAction(StrEnum):
    CONFIRM = "confirm"


# What the audit trail records for each move (literal names, never built from the enum).
AUDIT_ACTIONS: dict[AssessmentAction, str] = {AssessmentAction.CONFIRM: "assessment.confirm"}


TRANSITIONS: dict[tuple[AssessmentState, AssessmentAction], AssessmentState] = {
    (AssessmentState.DRAFT, AssessmentAction.CONFIRM): AssessmentState.CONFIRMED,
}


_MOVES = MoveTable(TRANSITIONS, N_("assessment.already_confirmed"))


def next_state(state: AssessmentState, action: AssessmentAction) -> AssessmentState:
    """The state after `action`; a move the table lacks is refused (a stale button too)."""
    return _MOVES.after(state, action)
