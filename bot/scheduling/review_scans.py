"""The review's scheduled scans: social-review windows closing, re-grading falling due, and a
safety net for records left in `submitted`. Each is idempotent (a second run finds nothing)."""

from __future__ import annotations

from bot.scheduling.runner import JobContext
from bot.services import review


def _config(ctx: JobContext) -> review.ReviewConfig:
    return review.ReviewConfig.from_settings(ctx.settings)


async def close_social_reviews(ctx: JobContext) -> None:
    async with ctx.sessionmaker() as session:
        await review.close_due_social_reviews(session, ctx.clock, _config(ctx), ctx.now)


async def mark_regrading_due(ctx: JobContext) -> None:
    async with ctx.sessionmaker() as session:
        await review.mark_regrading_due(session, ctx.clock, _config(ctx), ctx.now)


async def open_submitted(ctx: JobContext) -> None:
    async with ctx.sessionmaker() as session:
        await review.open_submitted(session, ctx.clock, _config(ctx))
