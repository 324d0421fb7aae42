"""APScheduler as the metronome, started and stopped with the dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduling.runner import JobRunner

TICK_SECONDS = 60


def attach_scheduler(
    dp: Dispatcher,
    runner: JobRunner,
    timezone: str,
    *,
    leading: Callable[[], bool] | None = None,
) -> AsyncIOScheduler:
    """Tick every minute and once right at start-up (which makes up missed runs).

    The first tick runs beside polling, not before it: the scans never delay the first
    getUpdates, however large the register (and `max_instances=1` keeps ticks apart).
    With `leading`, a tick runs only while it answers True (several replicas: only the leader
    runs jobs)."""
    scheduler = AsyncIOScheduler(timezone=timezone)

    async def tick() -> None:
        if leading is None or leading():
            await runner.tick()

    async def start() -> None:
        scheduler.add_job(
            tick,
            IntervalTrigger(seconds=TICK_SECONDS),
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
        scheduler.start()

    async def stop() -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)

    dp.startup.register(start)
    dp.shutdown.register(stop)
    dp["scheduler"] = scheduler
    dp["job_runner"] = runner
    return scheduler
