"""Publicity rounds open on their date and close on their own.

Opening a large round is split over transactions so no write lock is held for long: one to
open it and write its items, then `OPEN_CHUNK` risks publicised per transaction, then one to
queue the channel posts and notices. Each step is idempotent, so a crash part-way is finished
by the next tick. One round that fails does not hold back the others.
"""

from __future__ import annotations

import logging

from bot.domain.publicity import RoundState
from bot.scheduling.runner import JobContext
from bot.services.publicity import rounds
from bot.services.publicity.config import PublicityConfig
from storage.db import unit_of_work

log = logging.getLogger(__name__)


async def open_due(ctx: JobContext) -> None:
    config = PublicityConfig.from_settings(ctx.settings)
    due = await rounds.due_to_open(ctx.session, ctx.now)
    for round_id in due:
        async with unit_of_work(ctx.sessionmaker) as session:
            rnd = await rounds.get_round(session, round_id)
            if rnd is None or rnd.status != RoundState.SCHEDULED.value:
                continue  # another process took it
            shown = await rounds.start_round(session, ctx.clock, rnd)
            log.info("publicity round %s opened with %s risks", round_id, shown)
    opening = await rounds.unannounced(ctx.session)
    for round_id in opening:
        while True:
            async with unit_of_work(ctx.sessionmaker) as session:
                rnd = await rounds.get_round(session, round_id)
                if rnd is None:
                    break
                moved = await rounds.publicise_some(
                    session, ctx.clock, config, rnd, limit=rounds.OPEN_CHUNK
                )
            if not moved:
                break
        async with unit_of_work(ctx.sessionmaker) as session:
            rnd = await rounds.get_round(session, round_id)
            if rnd is not None and await rounds.announce(session, ctx.clock, config, rnd):
                log.info("publicity round %s announced", round_id)


async def close_due(ctx: JobContext) -> None:
    config = PublicityConfig.from_settings(ctx.settings)
    due = await rounds.due_to_close(ctx.session, ctx.now)
    for round_id in due:
        async with unit_of_work(ctx.sessionmaker) as session:
            rnd = await rounds.get_round(session, round_id)
            if rnd is None or rnd.status != RoundState.OPEN.value:
                continue
            await rounds.close_round(session, ctx.clock, config, rnd)
            log.info("publicity round %s closed", round_id)
