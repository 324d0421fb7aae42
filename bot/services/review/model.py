"""The review's values: its configuration, a loaded record (`Situation`), a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.domain.grading import Grade, GradingRule
from bot.domain.review_routing import Route, UnitRef
from bot.domain.risk_workflow import Action, RiskState, Track
from bot.services import review_subject as subject
from bot.services.review.notices import Notice
from bot.settings import Settings
from storage.models.review import RiskReview

COMMENT_MAX = 500
SCHEDULER_CHANNEL = "scheduler"


class NoteKind(StrEnum):
    """What a line of the review timeline records."""

    COMMENT = "comment"
    AGREE = "agree"
    RETURN = "return"
    DISPUTE = "dispute"
    OVERRIDE = "override"  # a level other than the suggestion, with its reason
    REOPEN = "reopen"


@dataclass(frozen=True)
class ReviewConfig:
    """The knobs the review needs, read once from settings (built at the edge)."""

    rule: GradingRule
    review_tiers: dict[int, str]
    approval_tiers: dict[int, str]
    social_window: timedelta
    regrading_period: timedelta
    settings: Settings

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewConfig:
        return cls(
            rule=GradingRule.from_settings(settings),
            review_tiers=dict(settings.review_tier_by_level),
            approval_tiers=dict(settings.approval_tier_by_level),
            social_window=timedelta(days=settings.social_review_days),
            regrading_period=timedelta(days=settings.regrading_period_days),
            settings=settings,
        )


@dataclass
class Situation:
    """A risk point with everything authority and routing depend on, loaded once."""

    risk: Any  # the register's RiskPoint
    review: RiskReview
    chain: list[UnitRef]
    unit_id: int
    track: Track
    grade: Grade | None
    review_route: Route
    approval_route: Route
    holder_ids: frozenset[int]
    notices: list[Notice] = field(default_factory=list)

    @property
    def state(self) -> RiskState:
        return RiskState(subject.status(self.risk))

    @property
    def level_for_review(self) -> int:
        return level_for_review(self.review.suggested_level, self.grade)

    @property
    def level_for_approval(self) -> int:
        return level_for_approval(self.review.reviewed_level, self.level_for_review)


def level_for_review(suggested_level: int | None, grade: Grade | None) -> int:
    """The level graded review is routed by: the suggestion."""
    if suggested_level:
        return int(suggested_level)
    return grade.level if grade else 3


def level_for_approval(reviewed_level: int | None, for_review: int) -> int:
    """Approval is routed by what graded review settled on (the suggestion otherwise)."""
    return int(reviewed_level or for_review)


@dataclass(frozen=True)
class Decision:
    """What a person asks: a move, with what it needs."""

    action: Action
    comment: str | None = None
    level: int | None = None  # pass_review / approve: the level set (None keeps the suggestion)
    expected_version: int | None = None  # from the card; None when not from a card
    # What some register moves carry besides a comment (record_discussion: held_on, summary).
    details: dict[str, Any] = field(default_factory=dict)
