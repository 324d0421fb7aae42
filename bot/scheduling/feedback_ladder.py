"""Feedback's scheduled work: the 预警 ladder of unanswered items (hourly,
`bot.services.feedback.ladder`) and forgetting old wrong /track codes."""

from __future__ import annotations

from bot.scheduling.runner import JobContext
from bot.services.feedback import ladder, tracking
from bot.services.feedback.config import FeedbackConfig


async def climb_feedback_ladder(ctx: JobContext) -> None:
    """One unit of work: the steps, their audit rows and their notices commit together."""
    await ladder.climb(ctx.session, ctx.clock, FeedbackConfig.from_settings(ctx.settings))


async def prune_track_misses(ctx: JobContext) -> None:
    await tracking.prune_misses(ctx.session, ctx.now)
