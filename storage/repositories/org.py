"""Queries about units and posts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.org import Post, Unit


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
