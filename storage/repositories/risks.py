"""Queries about risk points and their control measures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from storage.models.org import Person, Post
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint

WITHDRAWN = "withdrawn"
PROPOSED = "proposed"


async def ids_in_states(
    session: AsyncSession, states: Sequence[str], unit_ids: Sequence[int] | None = None
) -> Sequence[int]:
    """Risks in any of `states` whose post is in `unit_ids` (None: anywhere), oldest first."""
    query = select(RiskPoint.id).where(RiskPoint.status.in_(states))
    if unit_ids is not None:
        query = query.join(Post, Post.id == RiskPoint.post_id).where(Post.unit_id.in_(unit_ids))
    return (await session.scalars(query.order_by(RiskPoint.id))).all()


async def in_state_on_post(session: AsyncSession, post_id: int, state: str) -> list[RiskPoint]:
    return list(
        await session.scalars(
            select(RiskPoint)
            .where(RiskPoint.post_id == post_id, RiskPoint.status == state)
            .order_by(RiskPoint.id)
        )
    )


async def page_of_post(
    session: AsyncSession, post_id: int, *, offset: int, limit: int
) -> tuple[list[RiskPoint], int]:
    """A post's risk points (withdrawn ones left out), oldest first, and how many there are."""
    where = (RiskPoint.post_id == post_id, RiskPoint.status != WITHDRAWN)
    # One statement: the page and the total beside each row (the list shows no measures).
    rows = (
        await session.execute(
            select(RiskPoint, func.count().over())
            .where(*where)
            .order_by(RiskPoint.id)
            .offset(offset)
            .limit(limit)
            .options(raiseload(RiskPoint.measures))
        )
    ).all()
    if rows:
        return [row[0] for row in rows], int(rows[0][1])
    total = await session.scalar(select(func.count()).select_from(RiskPoint).where(*where)) or 0
    return [], int(total)


async def measures_page_of(
    session: AsyncSession, person_id: int, post_id: int | None, *, offset: int, limit: int
) -> tuple[list[ControlMeasure], int]:
    """Measures a person answers for, or with no responsible person in the register whose
    risk is of `post_id` (not of withdrawn risks)."""
    mine = ControlMeasure.responsible_id == person_id
    if post_id is not None:
        mine = mine | (ControlMeasure.responsible_id.is_(None) & (RiskPoint.post_id == post_id))
    where = (RiskPoint.status != WITHDRAWN, mine)
    joined = select(ControlMeasure).join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
    total = await session.scalar(
        select(func.count())
        .select_from(ControlMeasure)
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .where(*where)
    )
    rows = await session.scalars(
        joined.where(*where)
        .order_by(ControlMeasure.deadline, ControlMeasure.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)


async def measures_past(
    session: AsyncSession, today: date, unit_ids: Sequence[int] | None = None
) -> list[ControlMeasure]:
    """Measures not done whose deadline has passed, of risks still pursued."""
    query = (
        select(ControlMeasure)
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .where(
            ControlMeasure.deadline < today,
            ControlMeasure.status != MeasureStatus.DONE.value,
            RiskPoint.status.not_in([WITHDRAWN, PROPOSED]),
        )
        .order_by(ControlMeasure.deadline, ControlMeasure.id)
    )
    if unit_ids is not None:
        query = query.join(Post, Post.id == RiskPoint.post_id).where(Post.unit_id.in_(unit_ids))
    return list(await session.scalars(query))


async def active_colleagues_page(
    session: AsyncSession, unit_id: int, *, offset: int, limit: int
) -> tuple[list[Person], int]:
    """Active people of a unit, by name, and how many there are."""
    where = (Person.unit_id == unit_id, Person.active.is_(True))
    total = await session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
    rows = await session.scalars(
        select(Person).where(*where).order_by(Person.name, Person.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


async def declared_from(
    session: AsyncSession, creator_id: int, draft_key: str
) -> RiskPoint | None:
    """The risk point `creator_id` declared from the draft `draft_key`, if any."""
    return await session.scalar(
        select(RiskPoint).where(
            RiskPoint.created_by_id == creator_id, RiskPoint.draft_key == draft_key
        )
    )
