"""Who sent a feedback item: the only module that reads `FeedbackSender`.

The anonymity guarantee rests on this: officials' screens, notices, exports and figures are
built from `Feedback` rows alone. What is here serves the sender only — delivering the answer
to them, their own /mine and /track, the per-person daily limit and "identical text" rule.
A test keeps every other module from touching the table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.feedback import Feedback, FeedbackSender
from storage.models.org import Person


def text_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def remember(
    session: AsyncSession, item: Feedback, person: Person, text_key: str, at: datetime
) -> None:
    session.add(
        FeedbackSender(
            feedback_id=item.id, person_id=person.id, text_key=text_digest(text_key), created_at=at
        )
    )


async def sender_of(session: AsyncSession, item: Feedback) -> Person | None:
    """The person to deliver news of `item` to (None once they are gone)."""
    person_id = await session.scalar(
        select(FeedbackSender.person_id).where(FeedbackSender.feedback_id == item.id)
    )
    return await session.get(Person, person_id) if person_id is not None else None


async def is_sender(session: AsyncSession, item: Feedback, person: Person) -> bool:
    found = await session.scalar(
        select(FeedbackSender.feedback_id).where(
            FeedbackSender.feedback_id == item.id, FeedbackSender.person_id == person.id
        )
    )
    return found is not None


async def sent_since(session: AsyncSession, person: Person, since: datetime) -> int:
    """How many items `person` sent since `since` (the daily limit)."""
    count = await session.scalar(
        select(func.count())
        .select_from(FeedbackSender)
        .where(FeedbackSender.person_id == person.id, FeedbackSender.created_at >= since)
    )
    return int(count or 0)


async def same_text(session: AsyncSession, person: Person, text_key: str) -> Feedback | None:
    """The person's earlier item with the same text, if any."""
    return await session.scalar(
        select(Feedback)
        .join(FeedbackSender, FeedbackSender.feedback_id == Feedback.id)
        .where(
            FeedbackSender.person_id == person.id,
            FeedbackSender.text_key == text_digest(text_key),
        )
    )


async def own_items(
    session: AsyncSession, person: Person, *, limit: int, offset: int = 0
) -> tuple[Sequence[Feedback], int]:
    """The person's own items, newest first, and how many there are."""
    base = (
        select(Feedback)
        .join(FeedbackSender, FeedbackSender.feedback_id == Feedback.id)
        .where(FeedbackSender.person_id == person.id)
    )
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.scalars(
        base.order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def own_item_by_code(session: AsyncSession, person: Person, code: str) -> Feedback | None:
    """The item with this receipt code if `person` sent it; someone else's is not found."""
    return await session.scalar(
        select(Feedback)
        .join(FeedbackSender, FeedbackSender.feedback_id == Feedback.id)
        .where(Feedback.code == code, FeedbackSender.person_id == person.id)
    )
