"""The periodic jobs the bot runs; each feature adds its scan here."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import delete

from bot.delivery.outbox_files import prune_sent_files
from bot.domain.due import DailyAt, Every
from bot.domain.register_rules import local_today
from bot.scheduling import publicity_rounds, review_scans
from bot.scheduling.campaign_reminders import remind_campaigns
from bot.scheduling.digests import send_digests
from bot.scheduling.feedback_ladder import climb_feedback_ladder, prune_track_misses
from bot.scheduling.regrading_reminders import remind_regrading
from bot.scheduling.reminders import remind_measures, remind_reviews
from bot.scheduling.runner import JobContext, PeriodicJob
from bot.services.once import prune_keys
from bot.services.stats import summary
from bot.settings import Settings
from storage.models.processed_update import ProcessedUpdate

# Telegram gives up redelivering an update after a day; keep ids a little longer.
PROCESSED_UPDATES_KEPT = timedelta(days=2)
# How often the review's scans run (social-review windows close within this of their end).
REVIEW_SCANS_EVERY = timedelta(minutes=5)
# How often the digest scan looks for subscriptions whose hour has come.
DIGESTS_EVERY = timedelta(minutes=5)
# Local time of the daily reminder scans (after quiet hours end).
REMINDERS_AT = time(9, 0)
# Publicity rounds open and close within this of their time.
PUBLICITY_SCANS_EVERY = timedelta(minutes=1)
# How often the units whose records changed are recounted into `unit_figures` (until then
# the overview counts them live: exact either way, only slower).
UNIT_FIGURES_EVERY = timedelta(minutes=1)


async def prune_outbox_files(ctx: JobContext) -> None:
    """Charts and documents stored for the outbox, once every row that sends them is done."""
    await prune_sent_files(ctx.session, ctx.now)


async def prune_processed_updates(ctx: JobContext) -> None:
    await ctx.session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < ctx.now - PROCESSED_UPDATES_KEPT)
    )


async def prune_idempotency_keys(ctx: JobContext) -> None:
    """Keys of confirmed drafts older than `IDEMPOTENCY_KEYS_KEPT_DAYS`."""
    await prune_keys(ctx.session, ctx.now, timedelta(days=ctx.settings.idempotency_keys_kept_days))


async def refresh_unit_figures(ctx: JobContext) -> None:
    """Recount the units whose records changed, so the overview reads their kept counts."""
    await summary.refresh(ctx.session, today=local_today(ctx.now, ctx.settings.timezone))


def all_jobs(settings: Settings) -> list[PeriodicJob]:
    """Every periodic job, in the order a tick runs them."""
    return [
        PeriodicJob("prune_processed_updates", Every(timedelta(hours=6)), prune_processed_updates),
        PeriodicJob("remind_measures", DailyAt(REMINDERS_AT), remind_measures),
        PeriodicJob("remind_reviews", DailyAt(REMINDERS_AT), remind_reviews),
        PeriodicJob("remind_campaigns", DailyAt(REMINDERS_AT), remind_campaigns),
        PeriodicJob("remind_regrading", DailyAt(REMINDERS_AT), remind_regrading),
        PeriodicJob(
            "review_open_submitted", Every(REVIEW_SCANS_EVERY), review_scans.open_submitted
        ),
        PeriodicJob(
            "review_close_social", Every(REVIEW_SCANS_EVERY), review_scans.close_social_reviews
        ),
        PeriodicJob(
            "review_regrading_due", Every(timedelta(hours=1)), review_scans.mark_regrading_due
        ),
        PeriodicJob("publicity_open_due", Every(PUBLICITY_SCANS_EVERY), publicity_rounds.open_due),
        PeriodicJob(
            "publicity_close_due", Every(PUBLICITY_SCANS_EVERY), publicity_rounds.close_due
        ),
        PeriodicJob("feedback_ladder", Every(timedelta(hours=1)), climb_feedback_ladder),
        PeriodicJob("feedback_prune_misses", Every(timedelta(hours=6)), prune_track_misses),
        PeriodicJob("send_digests", Every(DIGESTS_EVERY), send_digests),
        PeriodicJob("prune_outbox_files", Every(timedelta(hours=6)), prune_outbox_files),
        PeriodicJob("prune_idempotency_keys", Every(timedelta(hours=6)), prune_idempotency_keys),
        PeriodicJob("refresh_unit_figures", Every(UNIT_FIGURES_EVERY), refresh_unit_figures),
    ]
