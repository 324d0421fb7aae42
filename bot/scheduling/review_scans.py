"""The review's scheduled scans: social-review windows closing, re-grading falling due, and
records left in `submitted` (a file import stores risks there; a declaration enters its review
in its own transaction). Each is idempotent (a second run finds nothing)."""

from __future__ import annotations

from bot.scheduling.runner import JobContext
from bot.services import review


def _config(ctx: JobContext) -> review.ReviewConfig:
    return review.ReviewConfig.from_settings(ctx.settings)


async def close_social_reviews(ctx: JobContext) -> None:
    await review.close_due_social_reviews(ctx.session, ctx.clock, _config(ctx), ctx.now)


async def mark_regrading_due(ctx: JobContext) -> None:
    await review.mark_regrading_due(ctx.session, ctx.clock, _config(ctx), ctx.now)


async def open_submitted(ctx: JobContext) -> None:
    await review.open_submitted(ctx.session, ctx.clock, _config(ctx))
