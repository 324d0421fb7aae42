"""Runs the periodic jobs that are due, once each, with a lease so processes don't overlap."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import insert_for
from bot.domain.clock import Clock
from bot.domain.due import Schedule, is_due
from bot.settings import Settings
from storage.affected import affected
from storage.db import SessionMaker, unit_of_work
from storage.models.schedule import JobState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What a job gets: the session of its one transaction (the runner commits it when the
    job returns, and rolls it back when it raises; a job only flushes) and the time."""

    session: AsyncSession
    clock: Clock
    settings: Settings
    now: datetime
    # Only for a job that must split long work into several units of work (each one
    # `unit_of_work(ctx.sessionmaker)`), so that no write lock is held for minutes.
    sessionmaker: SessionMaker


JobFunc = Callable[[JobContext], Awaitable[None]]


async def run_job(
    job: JobFunc,
    sessionmaker: SessionMaker,
    clock: Clock,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Run one job as one unit of work: commit when it succeeds, roll back when it raises.

    Outbox rows the job enqueues are sent after this commit (the sender wakes on it).
    """
    async with unit_of_work(sessionmaker) as session:
        await job(JobContext(session, clock, settings, now or clock.now(), sessionmaker))


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    schedule: Schedule
    run: JobFunc


class JobRunner:
    """`tick()` runs every due job; APScheduler calls it each minute and once at start-up."""

    LEASE = timedelta(minutes=10)

    def __init__(
        self,
        jobs: list[PeriodicJob],
        sessionmaker: SessionMaker,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self.jobs = jobs
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.settings = settings
        self.tz = ZoneInfo(settings.timezone)

    async def tick(self) -> list[str]:
        """Run each due job once; returns the names of those that ran (for tests and logs)."""
        ran = []
        for job in self.jobs:
            now = self.clock.now()
            if not await self._claim(job, now):
                continue
            try:
                await run_job(job.run, self.sessionmaker, self.clock, self.settings, now)
            except Exception:
                # A failed job keeps its old last run, so the next tick retries it.
                log.exception("scheduled job %s failed", job.name)
                await self._release(job, None)
                continue
            await self._release(job, now)
            ran.append(job.name)
        return ran

    async def _claim(self, job: PeriodicJob, now: datetime) -> bool:
        """Take the job's lease if it is due and nobody holds it; one statement, race-free."""
        async with self.sessionmaker() as session, session.begin():
            insert = insert_for(session)
            await session.execute(insert(JobState).values(name=job.name).on_conflict_do_nothing())
            state = await session.get(JobState, job.name)
            assert state is not None
            if not is_due(job.schedule, state.last_run_at, now, self.tz):
                return False
            claimed = await session.execute(
                update(JobState)
                .where(
                    JobState.name == job.name,
                    or_(JobState.running_until.is_(None), JobState.running_until < now),
                )
                .values(running_until=now + self.LEASE)
            )
            return bool(affected(claimed))

    async def _release(self, job: PeriodicJob, ran_at: datetime | None) -> None:
        values: dict[str, object] = {"running_until": None}
        if ran_at is not None:
            values["last_run_at"] = ran_at
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(JobState).where(JobState.name == job.name).values(**values)
            )
