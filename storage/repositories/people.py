"""Queries about people and their roles."""

from __future__ import annotations

from collections.abc import Collection, Sequence

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


async def active_with_role(
    session: AsyncSession, role: str, *, unit_id: int | None = None
) -> list[Person]:
    """Active people holding `role` (scoped to `unit_id` when given), by id, each once."""
    query = select(Person).join(RoleAssignment).where(RoleAssignment.role == role)
    if unit_id is not None:
        query = query.where(RoleAssignment.unit_id == unit_id)
    rows = await session.scalars(query.where(Person.active.is_(True)).order_by(Person.id))
    return list(rows.unique())


async def active_ids_in_unit(
    session: AsyncSession, unit_id: int, *, besides: frozenset[int] | set[int] = frozenset()
) -> tuple[int, ...]:
    """Ids of the unit's active people, leaving out `besides`."""
    rows = await session.scalars(
        select(Person.id).where(
            Person.unit_id == unit_id,
            Person.active.is_(True),
            Person.id.not_in(besides or {0}),
        )
    )
    return tuple(rows)


async def active_ids_on_post(session: AsyncSession, post_id: int) -> set[int]:
    """Ids of the active people holding a post."""
    return set(
        await session.scalars(
            select(Person.id).where(Person.post_id == post_id, Person.active.is_(True))
        )
    )


async def active_on_posts(session: AsyncSession, post_ids: Sequence[int]) -> Sequence[Person]:
    """The active holders of these posts, by id."""
    return (
        await session.scalars(
            select(Person)
            .where(Person.post_id.in_(post_ids), Person.active.is_(True))
            .order_by(Person.id)
        )
    ).all()


# Ids per IN list: well under SQLite's 32,766 bound variables.
IN_CHUNK = 5_000


async def active_ids_by_post(
    session: AsyncSession, post_ids: Sequence[int]
) -> dict[int, set[int]]:
    """The ids of the active holders of each post: one statement per 5,000 posts."""
    holders: dict[int, set[int]] = {post_id: set() for post_id in post_ids}
    wanted = sorted(holders)
    for start in range(0, len(wanted), IN_CHUNK):
        rows = await session.execute(
            select(Person.post_id, Person.id).where(
                Person.post_id.in_(wanted[start : start + IN_CHUNK]), Person.active.is_(True)
            )
        )
        for post_id, person_id in rows:
            if post_id is not None:
                holders[post_id].add(person_id)
    return holders


async def active_with_roles(
    session: AsyncSession, roles: Sequence[str]
) -> list[tuple[Person, str, int | None]]:
    """Each active person's assignment of any of `roles` (role, unit), by person id: the
    audiences of every routed step in one statement (and their roles' one selectin)."""
    rows = await session.execute(
        select(Person, RoleAssignment.role, RoleAssignment.unit_id)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(RoleAssignment.role.in_(roles), Person.active.is_(True))
        .order_by(Person.id, RoleAssignment.id)
    )
    return [(person, role, unit_id) for person, role, unit_id in rows]


async def holding_in_units(
    session: AsyncSession, role: str, unit_ids: Collection[int]
) -> list[tuple[int, Person]]:
    """(unit id, person) for each active person whose `role` is scoped to one of `unit_ids`,
    by person id: someone holding it in two of those units comes twice."""
    rows = await session.execute(
        select(RoleAssignment.unit_id, Person)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.role == role,
            RoleAssignment.unit_id.in_(unit_ids),
            Person.active.is_(True),
        )
        .order_by(Person.id)
    )
    # The IN above matches no unscoped role; the check only narrows the type.
    return [(unit_id, person) for unit_id, person in rows.all() if unit_id is not None]


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    """People by id: one statement per 5,000 (and their roles' selectin)."""
    found: dict[int, Person] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IN_CHUNK):
        rows = await session.scalars(
            select(Person).where(Person.id.in_(wanted[start : start + IN_CHUNK]))
        )
        found.update((person.id, person) for person in rows)
    return found
