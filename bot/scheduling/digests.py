"""The leaders' digest scan (the rules are in `bot.domain.digest_rules`)."""

from __future__ import annotations

import logging

from bot.scheduling.runner import JobContext
from bot.services.stats.digests import send_due_digests

log = logging.getLogger(__name__)


async def send_digests(ctx: JobContext) -> None:
    """Queue every digest whose period is due; one transaction for the whole run."""
    async with ctx.sessionmaker() as session, session.begin():
        run = await send_due_digests(session, now=ctx.now, clock=ctx.clock, settings=ctx.settings)
    if run.due:
        log.info("digests: %s due, %s queued, %s charts", run.due, run.queued, run.charts)
