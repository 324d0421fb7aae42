"""What the public card of a risk may say about its feedback: how many items and how many
answered. Misconduct reports (问题线索) and hidden items are never counted here."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback import Kind, State
from storage.models.feedback import Feedback

SHOWN_STATES = (State.RECEIVED, State.ANSWERED, State.REOPENED, State.DUPLICATE, State.CLOSED)
ANSWERED_STATES = (State.ANSWERED, State.REOPENED, State.DUPLICATE)


@dataclass(frozen=True)
class PublicCounts:
    received: int = 0
    answered: int = 0


async def public_counts(
    session: AsyncSession, item_ids: Collection[int]
) -> dict[int, PublicCounts]:
    """Per publicity item: feedback received and answered (for the public card's line)."""
    if not item_ids:
        return {}
    rows = await session.execute(
        select(Feedback.item_id, Feedback.status, func.count())
        .where(
            Feedback.item_id.in_(list(item_ids)),
            Feedback.kind != Kind.MISCONDUCT.value,
            Feedback.status.in_([s.value for s in SHOWN_STATES]),
        )
        .group_by(Feedback.item_id, Feedback.status)
    )
    counts: dict[int, list[int]] = {}
    for item_id, status, n in rows:
        entry = counts.setdefault(item_id, [0, 0])
        entry[0] += n
        if State(status) in ANSWERED_STATES:
            entry[1] += n
    return {item_id: PublicCounts(*values) for item_id, values in counts.items()}
