"""What citizens browse: open rounds → their units → the units' risk cards (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.domain.publicity import RoundState
from storage.models.org import Unit
from storage.models.publicity import PublicityItem, PublicityRound


@dataclass(frozen=True)
class OpenRound:
    id: int
    ends_at: datetime
    units: int
    risks: int


@dataclass(frozen=True)
class UnitEntry:
    unit_id: int
    name: str
    risks: int


async def open_rounds(session: AsyncSession) -> list[OpenRound]:
    rows = await session.execute(
        select(
            PublicityRound.id,
            PublicityRound.ends_at,
            func.count(func.distinct(PublicityItem.unit_id)),
            func.count(PublicityItem.id),
        )
        .join(PublicityItem, PublicityItem.round_id == PublicityRound.id)
        .where(PublicityRound.status == RoundState.OPEN.value)
        .group_by(PublicityRound.id, PublicityRound.ends_at)
        .order_by(PublicityRound.id.desc())
    )
    return [OpenRound(*row) for row in rows]


async def require_open(session: AsyncSession, round_id: int) -> PublicityRound:
    rnd = await session.get(PublicityRound, round_id)
    if rnd is None or rnd.status != RoundState.OPEN.value:
        raise ServiceError("publicity.not_open")
    return rnd


async def round_units(
    session: AsyncSession, round_id: int, offset: int, limit: int
) -> tuple[list[UnitEntry], int]:
    """A page of the units an open round shows, by path, with their numbers of risks."""
    await require_open(session, round_id)
    grouped = (
        select(Unit.id, Unit.name, Unit.path, func.count(PublicityItem.id))
        .join(PublicityItem, PublicityItem.unit_id == Unit.id)
        .where(PublicityItem.round_id == round_id)
        .group_by(Unit.id, Unit.name, Unit.path)
    )
    rows = (await session.execute(grouped.order_by(Unit.path))).all()
    page = rows[offset : offset + limit]
    return [UnitEntry(uid, name, count) for uid, name, _path, count in page], len(rows)


async def unit_items(session: AsyncSession, round_id: int, unit_id: int) -> list[int]:
    """The item ids of a unit in a round, in the channel's order."""
    rows = await session.scalars(
        select(PublicityItem.id)
        .where(PublicityItem.round_id == round_id, PublicityItem.unit_id == unit_id)
        .order_by(PublicityItem.id)
    )
    return list(rows)
