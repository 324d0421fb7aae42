"""APScheduler as the metronome, started and stopped with the dispatcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduling.runner import JobRunner

TICK_SECONDS = 60
log = logging.getLogger(__name__)


def attach_scheduler(
    dp: Dispatcher,
    runner: JobRunner,
    timezone: str,
    *,
    leading: Callable[[], bool] | None = None,
) -> AsyncIOScheduler:
    """Tick every minute and once right at start-up (which makes up missed runs).

    The first tick runs beside polling, not before it: the scans never delay the first
    getUpdates, however large the register. Ticks never overlap (one lock), and shutting
    down waits for a tick under way, so no job is cut off holding its lease. With `leading`, a
    tick runs only while it answers True (several replicas: only the leader runs jobs)."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    lock = asyncio.Lock()
    running: set[asyncio.Task[None]] = set()

    async def tick() -> None:
        if leading is not None and not leading():
            return
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            async with lock:
                await runner.tick()
        except Exception:
            log.exception("scheduler tick failed")
        finally:
            running.discard(task)

    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=TICK_SECONDS),
        id="tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )

    async def start() -> None:
        scheduler.start()
        first = asyncio.create_task(tick(), name="first scheduler tick")
        running.add(first)

    async def stop() -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        if running:
            await asyncio.gather(*running, return_exceptions=True)

    dp.startup.register(start)
    dp.shutdown.register(stop)
    dp["scheduler"] = scheduler
    dp["job_runner"] = runner
    return scheduler
