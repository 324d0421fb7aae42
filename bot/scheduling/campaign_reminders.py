"""The daily campaign reminder scan (the rules are in `bot.domain.campaign_rules`)."""

from __future__ import annotations

from bot.scheduling.runner import JobContext
from bot.services import campaigns


async def remind_campaigns(ctx: JobContext) -> None:
    """Remind the holders of posts missing a campaign's work at the offset due today."""
    await campaigns.remind(ctx.session, ctx.clock, ctx.settings, ctx.now)
