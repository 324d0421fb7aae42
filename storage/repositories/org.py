"""Queries about units and posts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.org import Person, Post, RoleAssignment, Unit


async def unit_by_path(session: AsyncSession, path: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.path == path))


async def units_page(session: AsyncSession, offset: int, limit: int) -> tuple[Sequence[Unit], int]:
    total = await session.scalar(select(func.count()).select_from(Unit)) or 0
    rows = (
        await session.scalars(select(Unit).order_by(Unit.path).offset(offset).limit(limit))
    ).all()
    return rows, total


async def posts_of_unit(session: AsyncSession, unit_id: int) -> Sequence[Post]:
    return (
        await session.scalars(select(Post).where(Post.unit_id == unit_id).order_by(Post.id))
    ).all()


async def post_by_name(session: AsyncSession, unit_id: int, name: str) -> Post | None:
    return await session.scalar(select(Post).where(Post.unit_id == unit_id, Post.name == name))


async def unit_chain(session: AsyncSession, unit_id: int) -> list[Unit]:
    """The unit and its ancestors, bottom up (a short walk: the tree is three levels)."""
    chain: list[Unit] = []
    current: int | None = unit_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        unit = await session.get(Unit, current)
        if unit is None:
            break
        chain.append(unit)
        current = unit.parent_id
    return chain


async def subtree_ids(session: AsyncSession, unit: Unit) -> Sequence[int]:
    """The unit and every unit below it."""
    return (
        await session.scalars(
            select(Unit.id).where(
                (Unit.id == unit.id) | Unit.path.startswith(unit.path + "/", autoescape=True)
            )
        )
    ).all()


async def units_with_active_role(session: AsyncSession, role: str) -> set[int]:
    """Units with at least one active person holding `role` scoped to them."""
    rows = await session.scalars(
        select(RoleAssignment.unit_id)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.role == role,
            RoleAssignment.unit_id.is_not(None),
            Person.active.is_(True),
        )
        .distinct()
    )
    return {unit_id for unit_id in rows if unit_id is not None}
