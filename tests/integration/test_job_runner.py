"""The job runner: catch-up after downtime, once only, across restarts and processes."""

from __future__ import annotations

from datetime import time, timedelta

from bot.domain.clock import FakeClock
from bot.domain.due import DailyAt, Every
from bot.scheduling.runner import JobContext, JobRunner, PeriodicJob
from bot.settings import Settings
from storage.db import SessionMaker


def recording_job(name: str, schedule: DailyAt | Every, calls: list[str]) -> PeriodicJob:
    async def run(ctx: JobContext) -> None:
        calls.append(f"{name}@{ctx.now.isoformat()}")

    return PeriodicJob(name, schedule, run)


async def test_missed_daily_runs_are_made_up_once_at_start(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    calls: list[str] = []
    jobs = [recording_job("digest", DailyAt(time(8, 0)), calls)]
    first = JobRunner(jobs, sessionmaker, clock, settings)
    assert await first.tick() == ["digest"]
    assert await first.tick() == []

    # The bot is down for three days; a new process (same database) starts.
    clock.advance(timedelta(days=3))
    restarted = JobRunner(jobs, sessionmaker, clock, settings)
    assert await restarted.tick() == ["digest"]
    assert await restarted.tick() == []
    assert len(calls) == 2


async def test_interval_job_follows_the_clock(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    calls: list[str] = []
    runner = JobRunner(
        [recording_job("scan", Every(timedelta(minutes=30)), calls)], sessionmaker, clock, settings
    )
    await runner.tick()
    clock.advance(timedelta(minutes=29))
    assert await runner.tick() == []
    clock.advance(timedelta(minutes=1))
    assert await runner.tick() == ["scan"]


async def test_a_held_lease_keeps_a_second_process_out(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    calls: list[str] = []
    job = recording_job("scan", Every(timedelta(minutes=5)), calls)
    one = JobRunner([job], sessionmaker, clock, settings)
    two = JobRunner([job], sessionmaker, clock, settings)
    assert await one._claim(job, clock.now())
    assert not await two._claim(job, clock.now())
    # A crashed holder's lease expires, and the job runs again.
    clock.advance(JobRunner.LEASE + timedelta(seconds=1))
    assert await two.tick() == ["scan"]


async def test_a_failing_job_is_retried_next_tick(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    attempts: list[int] = []

    async def flaky(ctx: JobContext) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")

    runner = JobRunner(
        [PeriodicJob("flaky", Every(timedelta(hours=1)), flaky)], sessionmaker, clock, settings
    )
    assert await runner.tick() == []
    assert await runner.tick() == ["flaky"]
    assert len(attempts) == 2
