"""Who the bot can't reach, for admins: people who blocked it or deactivated their account.

Only admins (the commission) may look; the scope rule is the register's
(`reviewed_unit_ids`: the commission sees every unit). They become reachable
again by writing to the bot (the delivery middleware clears the flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.domain.errors import NotAllowed
from bot.domain.roles import Role
from bot.services.register_access import reviewed_unit_ids
from storage.models.org import Person


@dataclass(frozen=True)
class UnreachablePage:
    people: Sequence[Person]  # with unit and post loaded
    total: int


async def admin_unit_ids(session: AsyncSession, actor: Person) -> set[int] | None:
    """Units whose people an admin may see here; None means all. Refuses non-admins.

    The admin role is the commission's (DOMAIN.md: it "sees everything"; role assignments
    carry the holder's own unit, 区纪委, not a scope), so today every admin sees everyone, as
    `register_access.reviewed_unit_ids` decides. Reviewers' scoped views are theirs.
    """
    if not actor.active or not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    return await reviewed_unit_ids(session, actor)


async def unreachable_page(
    session: AsyncSession, actor: Person, offset: int, limit: int
) -> UnreachablePage:
    """One page of the unreachable people the admin may see, by name."""
    unit_ids = await admin_unit_ids(session, actor)
    query = select(Person).where(Person.unreachable.is_(True))
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
