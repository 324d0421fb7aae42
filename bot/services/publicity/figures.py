"""Feedback figures for a round's close summary.

The feedback flow (issue 11's other half, `bot.services.feedback.figures`) owns the numbers;
until it is merged this returns zeros, so the summary already has its final shape. At merge,
`round_feedback` calls the feedback service instead (one place to wire).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

KINDS: tuple[str, ...] = ("comment", "objection", "misconduct")


@dataclass(frozen=True)
class FeedbackFigures:
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    answered: int = 0
    reopened: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


async def round_feedback(
    session: AsyncSession, round_id: int, unit_ids: Sequence[int] | None = None
) -> FeedbackFigures:
    """Feedback on the round's items (only those of `unit_ids` when given): zeros for now."""
    return FeedbackFigures()
