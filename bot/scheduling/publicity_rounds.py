"""Publicity rounds open on their date and close on their own: one transaction per round, so
one round that fails does not hold back the others (it is retried on the next tick)."""

from __future__ import annotations

import logging

from bot.domain.publicity import RoundState
from bot.scheduling.runner import JobContext
from bot.services.publicity import rounds
from bot.services.publicity.config import PublicityConfig

log = logging.getLogger(__name__)


async def open_due(ctx: JobContext) -> None:
    config = PublicityConfig.from_settings(ctx.settings)
    async with ctx.sessionmaker() as session:
        due = await rounds.due_to_open(session, ctx.now)
    for round_id in due:
        async with ctx.sessionmaker() as session, session.begin():
            rnd = await rounds.get_round(session, round_id)
            if rnd is None or rnd.status != RoundState.SCHEDULED.value:
                continue  # another process took it
            shown = await rounds.open_round(session, ctx.clock, config, rnd)
            log.info("publicity round %s opened with %s risks", round_id, shown)


async def close_due(ctx: JobContext) -> None:
    config = PublicityConfig.from_settings(ctx.settings)
    async with ctx.sessionmaker() as session:
        due = await rounds.due_to_close(session, ctx.now)
    for round_id in due:
        async with ctx.sessionmaker() as session, session.begin():
            rnd = await rounds.get_round(session, round_id)
            if rnd is None or rnd.status != RoundState.OPEN.value:
                continue
            await rounds.close_round(session, ctx.clock, config, rnd)
            log.info("publicity round %s closed", round_id)
