"""The leaders' figures as plain arithmetic: sums, coverage, ranking, what changed.

The overview service (`bot.services.stats.overview`) counts the register with a few GROUP BY
queries and hands the counts to these types; everything computed from counts lives here, with
no database and no aiogram, so it is tested on its own.

Which risk points count (the seed's 2,351): every one past its draft that is still pursued —
not a draft, a top-down proposal or dispute the holder has not taken on, nor a withdrawn one.
Its level is the approved level, else the suggested one. Its state falls in one of four
groups (`STATE_GROUPS`): declared 已申报, in review 审核中, approved 已审定, publicised 已公示.
A measure counts when its risk point counts; it is done, open (deadline today or later) or
overdue (deadline passed, not done), so total = done + open + overdue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter

from bot.domain.risk_workflow import RiskState

S = RiskState


class StateGroup(StrEnum):
    DECLARED = "declared"  # 已申报: sent (or back with the holder), not yet with a reviewer
    IN_REVIEW = "in_review"  # 审核中: social, graded, organisational, the leadership steps
    APPROVED = "approved"  # 已审定: approved, awaiting publicity
    PUBLICISED = "publicised"  # 已公示: in force (a re-grading due is still in force)


STATE_GROUPS: dict[str, StateGroup] = {
    S.SUBMITTED.value: StateGroup.DECLARED,
    S.RETURNED.value: StateGroup.DECLARED,
    S.SOCIAL_REVIEW.value: StateGroup.IN_REVIEW,
    S.GRADED_REVIEW.value: StateGroup.IN_REVIEW,
    S.ORG_APPROVAL.value: StateGroup.IN_REVIEW,
    S.COLLECTIVE_DISCUSSION.value: StateGroup.IN_REVIEW,
    S.SELF_REVIEW.value: StateGroup.IN_REVIEW,
    S.STANDING_COMMITTEE.value: StateGroup.IN_REVIEW,
    S.APPROVED.value: StateGroup.APPROVED,
    S.PUBLICISED.value: StateGroup.PUBLICISED,
    S.REGRADING_DUE.value: StateGroup.PUBLICISED,
}
# States a risk point counts in (the keys above): a draft, proposal, dispute or withdrawal not.
COUNTED_STATES: tuple[str, ...] = tuple(STATE_GROUPS)
# Waiting for a reviewer's decision: the pending reviews of the overview.
PENDING_REVIEW_STATES: tuple[str, ...] = (
    S.SOCIAL_REVIEW.value,
    S.GRADED_REVIEW.value,
    S.ORG_APPROVAL.value,
    S.STANDING_COMMITTEE.value,
)
LEVELS: tuple[int, ...] = (1, 2, 3)


def _add_maps(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


@dataclass(frozen=True)
class Figures:
    """The seed's table for one unit (its own records) or a sum of units. All counts.

    ``powers_by_category`` is keyed ``"external/行政许可/审批"``-style: scope, a slash, the
    category. ``risks_by_type`` by the stored risk-type key, ``risks_by_state`` by
    `StateGroup` value; ``risks_unlevelled`` counts points with neither level yet.
    """

    powers: int = 0
    powers_external: int = 0
    powers_internal: int = 0
    powers_by_category: Mapping[str, int] = field(default_factory=dict)
    risks: int = 0
    risks_level1: int = 0
    risks_level2: int = 0
    risks_level3: int = 0
    risks_unlevelled: int = 0
    risks_by_type: Mapping[str, int] = field(default_factory=dict)
    risks_by_state: Mapping[str, int] = field(default_factory=dict)
    focus_risks: int = 0
    measures: int = 0
    measures_done: int = 0
    measures_open: int = 0
    measures_overdue: int = 0
    measures_done_on_time: int = 0
    leadership_risks: int = 0
    leadership_measures: int = 0
    posts: int = 0
    posts_with_powers: int = 0
    posts_with_risks: int = 0
    posts_fully_reported: int = 0
    pending_reviews: int = 0
    pending_over_limit: int = 0  # waiting longer than the review reminder days
    pending_longest_days: int = 0
    feedback_received: int = 0
    feedback_answered: int = 0
    feedback_answered_on_time: int = 0
    satisfaction_votes: int = 0
    satisfaction_sum: int = 0  # each vote 1–5; the mean is `satisfaction`

    def __add__(self, other: Figures) -> Figures:
        mine, theirs = self.__dict__, other.__dict__
        values: dict[str, object] = {name: mine[name] + theirs[name] for name in _SUMMED}
        for name in _MAPS:
            values[name] = _add_maps(mine[name], theirs[name])
        values["pending_longest_days"] = max(self.pending_longest_days, other.pending_longest_days)
        return Figures(**values)  # type: ignore[arg-type]  # each field's own value, by name

    @property
    def risks_by_level(self) -> tuple[int, int, int]:
        return (self.risks_level1, self.risks_level2, self.risks_level3)

    @property
    def coverage(self) -> float | None:
        """Share of posts with risks declared (the assessment's coverage of posts)."""
        return ratio(self.posts_with_risks, self.posts)

    @property
    def on_time(self) -> float | None:
        """Share of measures whose deadline has come that were done by it."""
        return ratio(self.measures_done_on_time, self.measures_done + self.measures_overdue)

    @property
    def satisfaction(self) -> float | None:
        """Mean satisfaction (1–5) of answered feedback, None without votes."""
        if not self.satisfaction_votes:
            return None
        return self.satisfaction_sum / self.satisfaction_votes


_MAPS = tuple(
    f.name for f in fields(Figures) if f.name.endswith(("_by_category", "_by_type", "_by_state"))
)
_SUMMED = tuple(
    f.name for f in fields(Figures) if f.name not in _MAPS and f.name != "pending_longest_days"
)


_summed_values = attrgetter(*_SUMMED)


def total(items: Iterable[Figures]) -> Figures:
    """The sum of many figures in one pass (the same as adding them one by one)."""
    parts = list(items)
    if not parts:
        return Figures()
    values: dict[str, object] = dict(
        zip(_SUMMED, map(sum, zip(*map(_summed_values, parts), strict=True)), strict=True)
    )
    for name in _MAPS:
        maps = [m for m in (part.__dict__[name] for part in parts) if m]
        merged: dict[str, int] = dict(maps[0]) if maps else {}
        for more in maps[1:]:
            for key, n in more.items():
                merged[key] = merged.get(key, 0) + n
        values[name] = merged
    values["pending_longest_days"] = max(p.pending_longest_days for p in parts)
    return Figures(**values)  # type: ignore[arg-type]  # each field's own value, by name


def ratio(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to divide (shown as "—", never as 0%)."""
    return part / whole if whole else None


def percent(value: float | None) -> str:
    """A share as a whole percent ("87%"), "—" when undefined. Rounds half up."""
    if value is None:
        return "—"
    return f"{int(value * 100 + 0.5)}%"


@dataclass(frozen=True)
class Ranked:
    """A unit's place: by coverage, then on-time measures (undefined counts as lowest)."""

    unit_id: int
    place: int
    coverage: float | None
    on_time: float | None


def rank(figures_by_unit: Mapping[int, Figures]) -> list[Ranked]:
    """Units best first; equal scores share a place (1, 2, 2, 4), ties listed by id."""

    def score(item: tuple[int, Figures]) -> tuple[float, float]:
        figures = item[1]
        return (
            -1.0 if figures.coverage is None else figures.coverage,
            -1.0 if figures.on_time is None else figures.on_time,
        )

    ordered = sorted(
        figures_by_unit.items(), key=lambda item: (*(-s for s in score(item)), item[0])
    )
    out: list[Ranked] = []
    previous: tuple[float, float] | None = None
    place = 0
    for index, item in enumerate(ordered, start=1):
        current = score(item)
        if current != previous:
            place, previous = index, current
        out.append(Ranked(item[0], place, item[1].coverage, item[1].on_time))
    return out


@dataclass(frozen=True)
class Headline:
    """The few numbers a digest leads with; also what "since last digest" compares."""

    risks: int = 0
    approved: int = 0  # approved or publicised
    measures_overdue: int = 0
    feedback_received: int = 0

    @classmethod
    def of(cls, figures: Figures) -> Headline:
        return cls(
            risks=figures.risks,
            approved=figures.risks_by_state.get(StateGroup.APPROVED, 0)
            + figures.risks_by_state.get(StateGroup.PUBLICISED, 0),
            measures_overdue=figures.measures_overdue,
            feedback_received=figures.feedback_received,
        )

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> Headline | None:
        if not data:
            return None
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in data.items() if k in names})  # type: ignore[call-overload]  # int fields


@dataclass(frozen=True)
class Change:
    """What changed since the last digest: signed differences (None: there was no last)."""

    new_risks: int
    approved: int
    overdue: int
    feedback: int


def changes_since(previous: Headline | None, current: Headline) -> Change | None:
    """The difference between two headlines; None for a first digest (nothing to compare)."""
    if previous is None:
        return None
    return Change(
        new_risks=current.risks - previous.risks,
        approved=current.approved - previous.approved,
        overdue=current.measures_overdue - previous.measures_overdue,
        feedback=current.feedback_received - previous.feedback_received,
    )


def signed(value: int) -> str:
    """+3, −2 or ±0, for "what changed" lines."""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "±0"


def roll_up(own: Mapping[int, Figures], parents: Mapping[int, int | None]) -> dict[int, Figures]:
    """Each unit's figures with everything under it (its subtree), from each unit's own.

    `parents` maps every unit to its parent (None at a root); a parent outside `parents`
    ends the climb, so a subtree scope rolls up to its own top.
    """
    children: dict[int, list[int]] = {unit: [] for unit in parents}
    for unit, parent in parents.items():
        if parent is not None and parent in children:
            children[parent].append(unit)
    depth: dict[int, int] = {}

    def depth_of(unit: int) -> int:
        if unit not in depth:
            parent = parents.get(unit)
            depth[unit] = 0 if parent is None or parent not in parents else depth_of(parent) + 1
        return depth[unit]

    # Deepest first, so each unit's children are complete before the unit is summed.
    subtree: dict[int, Figures] = {}
    nothing = Figures()  # one shared empty value, not one built per unit
    for unit in sorted(parents, key=depth_of, reverse=True):
        own_figures = own.get(unit) or nothing
        kids = children[unit]
        subtree[unit] = total([own_figures, *(subtree[k] for k in kids)]) if kids else own_figures
    return subtree
