"""Who the bot can't reach, for admins: people who blocked it or deactivated their account.

An admin sees the people of the units their admin role covers (each with its subtree); an
admin role without a unit is the commission's and covers everyone. They become reachable
again by writing to the bot (the delivery middleware clears the flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.roles import Role
from bot.services.errors import NotAllowed
from storage.models.org import Person, Unit


@dataclass(frozen=True)
class UnreachablePage:
    people: Sequence[Person]  # with unit and post loaded
    total: int


async def admin_unit_ids(session: AsyncSession, actor: Person) -> set[int] | None:
    """Units an admin oversees (subtrees included); None means all. Refuses non-admins."""
    if not actor.active or not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    scopes = [a.unit_id for a in actor.role_assignments if a.role == Role.ADMIN.value]
    if any(unit_id is None for unit_id in scopes):
        return None
    units = (await session.scalars(select(Unit).where(Unit.id.in_(scopes)))).all()
    if not units:
        return set()
    subtree = select(Unit.id).where(
        or_(*(or_(Unit.id == u.id, Unit.path.startswith(u.path + "/", autoescape=True))
              for u in units))
    )  # fmt: skip
    return set((await session.scalars(subtree)).all())


async def unreachable_page(
    session: AsyncSession, actor: Person, offset: int, limit: int
) -> UnreachablePage:
    """One page of the unreachable people the admin may see, by name."""
    unit_ids = await admin_unit_ids(session, actor)
    query: Select[tuple[Person]] = select(Person).where(Person.unreachable.is_(True))
    if unit_ids is not None:
        query = query.where(Person.unit_id.in_(unit_ids))
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    people = (
        await session.scalars(
            query.options(selectinload(Person.unit), selectinload(Person.post))
            .order_by(Person.name, Person.id)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return UnreachablePage(people, total)
