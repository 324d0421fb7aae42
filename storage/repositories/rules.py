"""Queries about the rule register (制度) and its focus programmes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.register import Rule


async def of_units(session: AsyncSession, unit_ids: Sequence[int]) -> list[Rule]:
    """The rules of these units, in the order they were registered."""
    return list(
        await session.scalars(select(Rule).where(Rule.unit_id.in_(unit_ids)).order_by(Rule.id))
    )
