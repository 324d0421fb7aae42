"""Feedback's scheduled work: the 预警 ladder of unanswered items (hourly,
`bot.services.feedback.ladder`) and forgetting old wrong /track codes."""

from __future__ import annotations

from bot.scheduling.runner import JobContext
from bot.services.feedback import ladder, tracking
from bot.services.feedback.config import FeedbackConfig


async def climb_feedback_ladder(ctx: JobContext) -> None:
    config = FeedbackConfig.from_settings(ctx.settings)
    async with ctx.sessionmaker() as session, session.begin():
        await ladder.climb(session, ctx.clock, config)


async def prune_track_misses(ctx: JobContext) -> None:
    async with ctx.sessionmaker() as session, session.begin():
        await tracking.prune_misses(session, ctx.now)
