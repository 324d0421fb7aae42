"""The 预警 ladder of unanswered feedback, hourly (`bot.services.feedback.ladder`)."""

from __future__ import annotations

from bot.scheduling.runner import JobContext
from bot.services.feedback import ladder
from bot.services.feedback.config import FeedbackConfig


async def climb_feedback_ladder(ctx: JobContext) -> None:
    config = FeedbackConfig.from_settings(ctx.settings)
    async with ctx.sessionmaker() as session, session.begin():
        await ladder.climb(session, ctx.clock, config)
