"""Where the overview's feedback lines come from: the one place to wire the feedback service.

The feedback figures (received, answered on time, satisfaction) belong to the feedback
service (`bot.services.feedback.figures`, one query over the period's items, summed per unit);
this module turns them into the overview's `Figures` fields. A rating counts on the overview's
1–5 scale: 满意 5, 基本满意 3, 不满意 1.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback import Rating
from bot.services.feedback.figures import figures_by_unit

# The `bot.domain.stats.Figures` fields this source fills.
FEEDBACK_FIELDS = (
    "feedback_received",
    "feedback_answered",
    "feedback_answered_on_time",
    "satisfaction_votes",
    "satisfaction_sum",
)


class FeedbackCounts(TypedDict, total=False):
    """One unit's `FEEDBACK_FIELDS` counts (keyword arguments of `Figures`)."""

    feedback_received: int
    feedback_answered: int
    feedback_answered_on_time: int
    satisfaction_votes: int
    satisfaction_sum: int


DEFAULT_ANSWER_DAYS = 5  # FEEDBACK_ANSWER_DAYS' default
RATING_SCORE = {Rating.SATISFIED: 5, Rating.FAIRLY: 3, Rating.UNSATISFIED: 1}


async def feedback_by_unit(
    session: AsyncSession,
    unit_ids: Collection[int] | None,
    *,
    today: date,
    answer_days: int = DEFAULT_ANSWER_DAYS,  # the overview's callers pass FEEDBACK_ANSWER_DAYS
) -> dict[int, FeedbackCounts]:
    """Per unit id (None: every unit), the `FEEDBACK_FIELDS` counts of feedback received up to
    the end of `today` (units without feedback are left out)."""
    until = datetime.combine(today + timedelta(days=1), time(0), tzinfo=UTC)
    per_unit = await figures_by_unit(
        session, answer_period=timedelta(days=answer_days), until=until, unit_ids=unit_ids
    )
    return {
        unit_id: {
            "feedback_received": figures.total,
            "feedback_answered": figures.responded,
            "feedback_answered_on_time": figures.responded_on_time,
            "satisfaction_votes": sum(figures.ratings.values()),
            "satisfaction_sum": sum(RATING_SCORE[r] * n for r, n in figures.ratings.items()),
        }
        for unit_id, figures in per_unit.items()
    }
