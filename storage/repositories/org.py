"""Queries about units and posts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
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


async def unit_chains(session: AsyncSession, unit_ids: Sequence[int]) -> dict[int, list[Unit]]:
    """`unit_chain()` for many units at once: one statement per level of the tree (three)."""
    known: dict[int, Unit] = {}
    missing = set(unit_ids)
    while missing:
        found = (await session.scalars(select(Unit).where(Unit.id.in_(sorted(missing))))).all()
        known.update((unit.id, unit) for unit in found)
        parents = {unit.parent_id for unit in found if unit.parent_id is not None}
        missing = parents - known.keys()
    chains: dict[int, list[Unit]] = {}
    for unit_id in unit_ids:
        chain: list[Unit] = []
        current: int | None = unit_id
        while current is not None and current in known and known[current] not in chain:
            chain.append(known[current])
            current = known[current].parent_id
        chains[unit_id] = chain
    return chains


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


async def has_children(session: AsyncSession, unit_id: int) -> bool:
    found = await session.scalar(select(Unit.id).where(Unit.parent_id == unit_id).limit(1))
    return found is not None


async def subtrees_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """The units and everything under them (units nest by path: 长安区/卫生局/医政科)."""
    if not unit_ids:
        return []
    roots = (await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))).all()
    conditions: list[ColumnElement[bool]] = [Unit.id.in_([u.id for u in roots])]
    conditions += [Unit.path.startswith(u.path + "/", autoescape=True) for u in roots]
    return list(await session.scalars(select(Unit.id).where(or_(*conditions))))


async def units_page_within(
    session: AsyncSession, unit_ids: Sequence[int] | None, offset: int, limit: int
) -> tuple[Sequence[Unit], int]:
    """A page of units by path (of `unit_ids`, or of all), and how many there are."""
    where = [] if unit_ids is None else [Unit.id.in_(sorted(unit_ids))]
    total = await session.scalar(select(func.count()).select_from(Unit).where(*where)) or 0
    rows = await session.scalars(
        select(Unit).where(*where).order_by(Unit.path).offset(offset).limit(limit)
    )
    return rows.all(), int(total)


async def root_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))


async def units_by_ids(session: AsyncSession, unit_ids: Sequence[int]) -> Sequence[Unit]:
    """The units, by path."""
    return (
        await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.path))
    ).all()


async def existing_ids(session: AsyncSession, unit_ids: Sequence[int]) -> set[int]:
    return set(await session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids))))


async def posts_of_units(session: AsyncSession, unit_ids: Sequence[int]) -> Sequence[Post]:
    return (
        await session.scalars(select(Post).where(Post.unit_id.in_(unit_ids)).order_by(Post.id))
    ).all()
