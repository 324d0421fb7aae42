"""The knobs feedback needs, read once from settings at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.settings import Settings


@dataclass(frozen=True)
class FeedbackConfig:
    per_day: int
    answer_period: timedelta
    review_tiers: dict[int, str]
    timezone: str
    settings: Settings  # for the outbox (quiet hours, default locale)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackConfig:
        return cls(
            per_day=settings.feedback_per_day,
            answer_period=timedelta(days=settings.feedback_answer_days),
            review_tiers=dict(settings.review_tier_by_level),
            timezone=settings.timezone,
            settings=settings,
        )
