"""Feedback test helpers: a risk put into an open publicity round (rows inserted directly,
as the publicity service would leave them), citizens, and reading what was queued."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.clock import Clock
from bot.domain.publicity import RoundState, new_code
from storage.db import SessionMaker
from storage.models.org import Person, Post
from storage.models.outbox import OutboxMessage
from storage.models.publicity import PublicityItem, PublicityRound
from storage.models.register import RiskPoint
from storage.models.review import RiskReview


async def open_round(
    sessionmaker: SessionMaker,
    clock: Clock,
    risk_ids: list[int],
    *,
    state: RoundState = RoundState.OPEN,
    days: int = 7,
) -> dict[int, tuple[int, str]]:
    """An open round showing these risks: risk id → (item id, public code)."""
    now = clock.now()
    out: dict[int, tuple[int, str]] = {}
    async with sessionmaker() as session:
        rnd = PublicityRound(
            status=state.value,
            starts_at=now,
            ends_at=now + timedelta(days=days),
            opened_at=now,
            unit_ids=[],
        )
        session.add(rnd)
        await session.flush()
        for risk_id in risk_ids:
            risk = await session.get(RiskPoint, risk_id)
            assert risk is not None
            post = await session.get(Post, risk.post_id)
            assert post is not None
            review = await session.get(RiskReview, risk_id)
            level = (review.final_level if review else None) or risk.level
            item = PublicityItem(
                round_id=rnd.id, risk_id=risk_id, unit_id=post.unit_id, level=level,
                code=new_code(),
            )  # fmt: skip
            session.add(item)
            await session.flush()
            out[risk_id] = (item.id, item.code)
        await session.commit()
    return out


async def make_citizen(
    sessionmaker: SessionMaker, clock: Clock, telegram_id: int, name: str, language: str = "zh"
) -> Person:
    async with sessionmaker() as session:
        person = Person(
            telegram_id=telegram_id, name=name, language=language, created_at=clock.now(),
            role_assignments=[],
        )  # fmt: skip
        session.add(person)
        await session.commit()
        return person


async def queued_to(sessionmaker: SessionMaker, person_id: int) -> list[str]:
    """Texts queued in the outbox for a person, oldest first."""
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person_id)
            .order_by(OutboxMessage.id)
        )
        return [str(row.payload.get("text") or row.payload.get("caption") or "") for row in rows]


async def told(sessionmaker: SessionMaker, person_id: int, code: str) -> list[str]:
    """Texts queued for a person that name this receipt code."""
    return [text for text in await queued_to(sessionmaker, person_id) if code in text]
