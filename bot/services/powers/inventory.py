"""Reading the power inventory: a power, a post's list, the reviewer's queue, the totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import ServiceError
from bot.services.register_access import may_see_unit, reviewed_unit_ids
from storage.models.org import Person, Post
from storage.models.register import Power, PowerStatus
from storage.repositories import powers as powers_repo


async def get_visible(session: AsyncSession, viewer: Person, power_id: int) -> Power:
    """A power the viewer may read; others' units' powers look as missing as deleted ones."""
    power = await session.get(Power, power_id)
    if power is None or not await may_see_unit(session, viewer, power.unit_id):
        raise ServiceError("register.not_found")
    return power


async def powers_of_post(
    session: AsyncSession, post: Post, *, offset: int = 0, limit: int = 8
) -> tuple[list[Power], int]:
    """The post's powers and the unit-wide ones (not withdrawn), newest last."""
    return await powers_repo.page(
        session,
        powers_repo.of_post(post),
        Power.status != PowerStatus.WITHDRAWN.value,
        offset=offset,
        limit=limit,
    )


@dataclass(frozen=True)
class PowerCounts:
    """Totals like the seed's: by scope, and by (scope, category)."""

    by_scope: dict[str, int]
    by_category: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        return sum(self.by_scope.values())


async def counts(
    session: AsyncSession,
    *,
    post: Post | None = None,
    unit_ids: Sequence[int] | None = None,
    confirmed_only: bool = False,
) -> PowerCounts:
    """Counts of powers (never withdrawn ones) for a post, some units, or everything."""
    rows = await powers_repo.counts_by_category(
        session, post=post, unit_ids=unit_ids, confirmed_only=confirmed_only
    )
    by_scope: Counter[str] = Counter()
    by_category: dict[tuple[str, str], int] = {}
    for scope, category, count in rows:
        by_scope[scope] += count
        by_category[(scope, category)] = count
    return PowerCounts(dict(by_scope), by_category)


async def waiting_for_review(
    session: AsyncSession, reviewer: Person, *, offset: int = 0, limit: int = 8
) -> tuple[list[Power], int]:
    """Submitted powers in the reviewer's units, oldest first."""
    scope = await reviewed_unit_ids(session, reviewer)
    where = [Power.status == PowerStatus.SUBMITTED.value]
    if scope is not None:
        where.append(Power.unit_id.in_(sorted(scope)))
    return await powers_repo.page(session, *where, offset=offset, limit=limit)
