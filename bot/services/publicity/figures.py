"""Feedback figures for a round's close summary.

The feedback flow owns the numbers (`bot.services.feedback.figures`); this shapes them for
the summary: items by kind, answered, and upheld (the risk reopened for re-grading).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback import Kind, State
from bot.services.feedback.figures import feedback_figures

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
    """Feedback on the round's items (only those of `unit_ids` when given)."""
    figures = await feedback_figures(
        session,
        # Only counts are used here; the period bounds nothing but "on time".
        answer_period=timedelta(days=1),
        round_id=round_id,
        unit_ids=unit_ids,
    )
    return FeedbackFigures(
        by_kind={kind: figures.by_kind[Kind(kind)] for kind in KINDS},
        answered=figures.by_state[State.ANSWERED],
        reopened=figures.by_state[State.REOPENED],
    )
