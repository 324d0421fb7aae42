"""Approved risk points ready for a publicity round, written straight to the register."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import SessionMaker
from storage.models.org import Person, Post
from storage.models.register import ControlMeasure, RiskPoint
from storage.models.review import RiskReview

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
RESPONSIBLE = "责任人王五"  # a personal name on a measure: never shown to the public


async def approved_risks(
    sessionmaker: SessionMaker,
    post_id: int,
    count: int,
    *,
    level: int = 2,
    status: str = "approved",
    prefix: str = "风险",
    measures: int = 1,
) -> list[int]:
    """`count` approved risks of a post, each with `measures` measures."""
    async with sessionmaker() as session:
        holder = await session.scalar(select(Person.id).where(Person.post_id == post_id))
        risks = [
            RiskPoint(
                post_id=post_id,
                description=f"{prefix}{n + 1}：审批把关不严",
                risk_type="duty",
                level=level,
                suggested_level=level,
                status=status,
                created_by_id=holder,
                created_at=NOW,
                updated_at=NOW,
            )
            for n in range(count)
        ]
        session.add_all(risks)
        await session.flush()
        for risk in risks:
            session.add(RiskReview(risk_id=risk.id, version=1, final_level=level, approved_at=NOW))
            for m in range(measures):
                session.add(
                    ControlMeasure(
                        risk_id=risk.id,
                        action=f"措施{m + 1}：双人复核",
                        responsible_name=RESPONSIBLE,
                        deadline=(NOW + timedelta(days=30)).date(),
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )
        await session.commit()
        return [risk.id for risk in risks]


async def post_named(sessionmaker: SessionMaker, name: str) -> int:
    async with sessionmaker() as session:
        post_id = await session.scalar(select(Post.id).where(Post.name == name))
        assert post_id is not None
        return post_id
