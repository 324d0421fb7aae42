"""Queries about powers (职权) and their per-unit categories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.org import Post
from storage.models.register import Power, PowerCategory, PowerStatus


async def category_names(session: AsyncSession, unit_id: int, scope: str) -> list[str]:
    """A unit's own categories for a scope, in their order (empty: it has none of its own)."""
    return list(
        await session.scalars(
            select(PowerCategory.name)
            .where(PowerCategory.unit_id == unit_id, PowerCategory.scope == scope)
            .order_by(PowerCategory.position, PowerCategory.id)
        )
    )


async def replace_categories(
    session: AsyncSession, unit_id: int, scope: str, names: Sequence[str]
) -> None:
    """A unit's categories for a scope become `names` (none: it falls back to its parent's)."""
    old = await session.scalars(
        select(PowerCategory).where(PowerCategory.unit_id == unit_id, PowerCategory.scope == scope)
    )
    for row in old:
        await session.delete(row)
    await session.flush()
    for position, name in enumerate(names):
        session.add(PowerCategory(unit_id=unit_id, scope=scope, name=name, position=position))
    await session.flush()


async def page(
    session: AsyncSession, *where: Any, offset: int, limit: int
) -> tuple[list[Power], int]:
    """Powers matching `where`, oldest first, and how many match."""
    total = await session.scalar(select(func.count()).select_from(Power).where(*where)) or 0
    rows = await session.scalars(
        select(Power).where(*where).order_by(Power.id).offset(offset).limit(limit)
    )
    return list(rows), int(total)


def of_post(post: Post) -> Any:
    """The post's own powers and its unit's unit-wide ones."""
    return (Power.unit_id == post.unit_id) & ((Power.post_id == post.id) | Power.post_id.is_(None))


async def counts_by_category(
    session: AsyncSession,
    *,
    post: Post | None = None,
    unit_ids: Sequence[int] | None = None,
    confirmed_only: bool = False,
) -> list[tuple[str, str, int]]:
    """(scope, category, count) of powers, never withdrawn ones."""
    query = select(Power.scope, Power.category, func.count()).where(
        Power.status != PowerStatus.WITHDRAWN.value
    )
    if confirmed_only:
        query = query.where(Power.status == PowerStatus.CONFIRMED.value)
    if post is not None:
        query = query.where(of_post(post))
    if unit_ids is not None:
        query = query.where(Power.unit_id.in_(unit_ids))
    rows = await session.execute(query.group_by(Power.scope, Power.category))
    return [(scope, category, count) for scope, category, count in rows]


async def by_name_in_unit(session: AsyncSession, unit_id: int, name: str) -> Power | None:
    """A unit's power (not withdrawn) by its name, the oldest if several."""
    return await session.scalar(
        select(Power)
        .where(
            Power.unit_id == unit_id,
            Power.name == name,
            Power.status != PowerStatus.WITHDRAWN.value,
        )
        .order_by(Power.id)
    )
