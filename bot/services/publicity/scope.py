"""Which units and risks a round covers, and what the wizard's preview shows.

A round's scope is every unit, or chosen units each with its departments (units nest by
path). A risk goes in when it is approved and not yet publicised (optionally also when it is
active already) and is not in another open round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.publicity import RoundState
from bot.domain.risk_workflow import RiskState
from bot.services.campaigns import subtree_ids
from storage.models.org import Post, Unit
from storage.models.publicity import PublicityItem, PublicityRound
from storage.models.register import RiskPoint


@dataclass(frozen=True)
class Candidate:
    risk_id: int
    unit_id: int
    level: int | None


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    name: str
    by_level: dict[int, int]  # level (0: none) → risks

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


@dataclass(frozen=True)
class Preview:
    units: list[UnitCount]
    subscribers: int

    @property
    def total(self) -> int:
        return sum(unit.total for unit in self.units)


async def top_units(session: AsyncSession, offset: int, limit: int) -> tuple[list[Unit], int]:
    """A page of the units one can choose (those right under the district), by path."""
    roots = select(Unit.id).where(Unit.parent_id.is_(None)).scalar_subquery()
    where = Unit.parent_id.in_(roots)
    total = await session.scalar(select(func.count()).select_from(Unit).where(where)) or 0
    rows = await session.scalars(
        select(Unit).where(where).order_by(Unit.path).offset(offset).limit(limit)
    )
    return list(rows), int(total)


async def known_unit_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """The ids among `unit_ids` that are units (a forged id drops out)."""
    if not unit_ids:
        return []
    return list(await session.scalars(select(Unit.id).where(Unit.id.in_(sorted(set(unit_ids))))))


async def scope_units(
    session: AsyncSession, all_units: bool, unit_ids: Sequence[int]
) -> list[int] | None:
    """Every unit the scope covers (None: all of them)."""
    if all_units:
        return None
    return await subtree_ids(session, list(unit_ids))


async def candidates(
    session: AsyncSession,
    *,
    all_units: bool,
    unit_ids: Sequence[int],
    include_active: bool,
) -> list[Candidate]:
    """The risks a round with this scope would show if it opened now, by unit and id."""
    states = [RiskState.APPROVED.value]
    if include_active:
        states.append(RiskState.PUBLICISED.value)
    in_open_round = (
        select(PublicityItem.risk_id)
        .join(PublicityRound, PublicityRound.id == PublicityItem.round_id)
        .where(PublicityRound.status == RoundState.OPEN.value)
    )
    query = (
        select(RiskPoint.id, Post.unit_id, RiskPoint.level)
        .join(Post, Post.id == RiskPoint.post_id)
        .where(RiskPoint.status.in_(states), RiskPoint.id.not_in(in_open_round))
        .order_by(Post.unit_id, RiskPoint.id)
    )
    units = await scope_units(session, all_units, unit_ids)
    if units is not None:
        query = query.where(Post.unit_id.in_(units))
    rows = await session.execute(query)
    return [Candidate(risk_id, unit_id, level) for risk_id, unit_id, level in rows]


async def count_by_unit(session: AsyncSession, found: Sequence[Candidate]) -> list[UnitCount]:
    """Risks per unit and level, units by path."""
    counts: dict[int, Counter[int]] = {}
    for candidate in found:
        counts.setdefault(candidate.unit_id, Counter())[candidate.level or 0] += 1
    if not counts:
        return []
    units = await session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(list(counts))).order_by(Unit.path)
    )
    return [UnitCount(unit_id, name, dict(counts[unit_id])) for unit_id, name in units]
