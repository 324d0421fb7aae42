"""Where the overview's feedback lines come from: the one place to wire the feedback service.

The feedback figures (received, answered on time, satisfaction) belong to the feedback
service (`bot.services.feedback.figures`). Until it is merged, every unit shows zero feedback
— never an error. To wire it, make `feedback_by_unit` return, per unit id, the `Figures`
fields below counted by that service (one aggregate query grouped by unit).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

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


async def feedback_by_unit(
    session: AsyncSession, unit_ids: Collection[int] | None, *, today: date
) -> dict[int, FeedbackCounts]:
    """Per unit id (None: every unit), the `FEEDBACK_FIELDS` counts; empty until wired."""
    return {}
