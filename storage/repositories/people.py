"""Queries about people and their roles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models.org import Person, RoleAssignment


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Person | None:
    return await session.scalar(
        select(Person)
        .where(Person.telegram_id == telegram_id)
        .options(selectinload(Person.unit), selectinload(Person.post))
    )


async def by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def with_role(session: AsyncSession, role: str) -> Sequence[Person]:
    return (
        await session.scalars(
            select(Person)
            .join(RoleAssignment)
            .where(RoleAssignment.role == role, Person.active.is_(True))
            .order_by(Person.id)
        )
    ).all()


async def staff_bound(session: AsyncSession) -> Sequence[Person]:
    """People with at least one role and a Telegram account (their command menus are theirs)."""
    return (
        await session.scalars(
            select(Person)
            .where(Person.telegram_id.is_not(None), Person.role_assignments.any())
            .order_by(Person.id)
        )
    ).all()
