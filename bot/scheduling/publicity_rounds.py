"""Publicity rounds open on their date and close on their own.

Opening a large round is split over transactions so no write lock is held for long: one to
open it and write its items, then `OPEN_CHUNK` risks publicised per transaction, then one to
queue the channel posts and notices. Each step is idempotent, so a crash part-way is finished
by the next tick. One round that fails does not hold back the others.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.publicity import RoundState
from bot.scheduling.runner import JobContext
from bot.services.publicity import rounds
from bot.services.publicity.config import PublicityConfig
from storage.db import unit_of_work
from storage.models.publicity import PublicityRound

log = logging.getLogger(__name__)


async def _each_round(
    ctx: JobContext, round_ids: Iterable[int], status: RoundState | None = None
) -> AsyncIterator[tuple[AsyncSession, PublicityRound]]:
    """Each round in a transaction of its own, passed over when it is gone or another process
    has already moved it out of `status`."""
    for round_id in round_ids:
        async with unit_of_work(ctx.sessionmaker) as session:
            rnd = await rounds.get_round(session, round_id)
            if rnd is None or (status is not None and rnd.status != status.value):
                continue
            yield session, rnd


async def open_due(ctx: JobContext) -> None:
    config = PublicityConfig.from_settings(ctx.settings)
    due = await rounds.due_to_open(ctx.session, ctx.now)
    async for session, rnd in _each_round(ctx, due, RoundState.SCHEDULED):
        shown = await rounds.start_round(session, ctx.clock, rnd)
        log.info("publicity round %s opened with %s risks", rnd.id, shown)
    for round_id in await rounds.unannounced(ctx.session):
        moved = True
        while moved:
            moved = False
            async for session, rnd in _each_round(ctx, [round_id]):
                moved = bool(
                    await rounds.publicise_some(
                        session, ctx.clock, config, rnd, limit=rounds.OPEN_CHUNK
                    )
                )
        async for session, rnd in _each_round(ctx, [round_id]):
            if await rounds.announce(session, ctx.clock, config, rnd):
                log.info("publicity round %s announced", round_id)


async def close_due(ctx: JobContext) -> None:
    config = PublicityConfig.from_settings(ctx.settings)
    due = await rounds.due_to_close(ctx.session, ctx.now)
    async for session, rnd in _each_round(ctx, due, RoundState.OPEN):
        await rounds.close_round(session, ctx.clock, config, rnd)
        log.info("publicity round %s closed", rnd.id)
