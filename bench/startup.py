"""Start-up and scheduled-scan benchmark (issue 15).

- start-up: `python -m bot run` from spawn to its first getUpdates, against a stub Bot API
  (a few lines of aiohttp in this process), on a migrated database holding 100,000 persons,
  beside `python -c "import aiogram, sqlalchemy"` timed in the same run (the ratio);
- `python -m bot db current` (a CLI command that does nothing);
- the bot's idle RSS (VmRSS) a few seconds after its first getUpdates, first tick done;
- every periodic job (bot/scheduling/jobs.py) timed alone at 1, 10 and 100 districts of the
  seed's shape (`--scales`), the re-grading scan among them.

    python -m bench.startup [--runs 3] [--scales 1,10,100] [--persons 100000]

Each figure is min / median / max of `--runs` runs with the load average beside it (the machine
is shared). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import insert, select, text

from bench import (
    PROJECT_ROOT,
    TOKEN,
    bench_settings,
    compile_project,
    free_port,
    load_average,
    migrated,
    spread,
    temp_folder,
    timed,
)
from bot.demo.seed_scale import generate
from bot.domain.clock import FakeClock
from bot.domain.risk_workflow import RiskState
from bot.scheduling.jobs import all_jobs
from bot.scheduling.runner import run_job
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models.org import Person
from storage.models.register import RiskPoint
from storage.models.review import RiskReview

NOW = datetime(2027, 3, 1, 1, 5, tzinfo=UTC)  # a Monday, 09:05 in Shanghai: daily scans due
HOUR = timedelta(hours=1)
HOURS = 365 * 24  # re-grading dates spread over a year, an hour apart
IDLE_WAIT_S = 5.0  # after the first getUpdates, before RSS is read (the first tick runs)


class StubBotApi:
    """Enough of the Bot API for a bot to start and poll: getMe, deleteWebhook, getUpdates
    (long polls that return nothing), and `true` for anything else."""

    def __init__(self) -> None:
        self.first_poll: asyncio.Future[float] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        if method == "getme":
            me = {"id": 123456, "is_bot": True, "first_name": "Qingfeng", "username": "qf_bot"}
            return web.json_response({"ok": True, "result": me})
        if method == "getupdates":
            if self.first_poll is not None and not self.first_poll.done():
                self.first_poll.set_result(time.perf_counter())
            await asyncio.sleep(1.0)
            return web.json_response({"ok": True, "result": []})
        return web.json_response({"ok": True, "result": True})

    @contextlib.asynccontextmanager
    async def serve(self, port: int) -> AsyncIterator[str]:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()


def bot_env(database_url: str, api: str = "http://127.0.0.1:9") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "WEBHOOK_"))}
    env.update(
        DATABASE_URL=database_url,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=api,
        HEALTH_PORT="0",
        LOG_LEVEL="WARNING",
    )
    return env


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def start_bot(stub: StubBotApi, api: str, database_url: str) -> tuple[float, float]:
    """Spawn the bot; seconds to its first getUpdates, and its RSS once idle."""
    stub.first_poll = asyncio.get_running_loop().create_future()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=PROJECT_ROOT,
        env=bot_env(database_url, api),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        first = await asyncio.wait_for(stub.first_poll, timeout=300)
        await asyncio.sleep(IDLE_WAIT_S)
        return first - started, rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def add_persons(database_url: str, count: int) -> None:
    engine = make_engine(database_url)
    await upgrade(engine)
    created = datetime.now(UTC)
    async with engine.begin() as conn:
        for start in range(0, count, 10_000):
            await conn.execute(
                insert(Person),
                [
                    {"telegram_id": 10_000_000 + n, "name": f"市民{n}", "created_at": created}
                    for n in range(start, min(count, start + 10_000))
                ],
            )
    await engine.dispose()


async def startup_figures(folder: Path, runs: int, persons: int) -> dict[str, Any]:
    database_url = f"sqlite+aiosqlite:///{folder / 'persons.sqlite3'}"
    await add_persons(database_url, persons)
    python = sys.executable
    baseline, startup, noop, rss = [], [], [], []
    stub = StubBotApi()
    async with stub.serve(free_port()) as api:
        for _ in range(runs):
            baseline.append(wall([python, "-c", "import aiogram, sqlalchemy"]))
            noop.append(wall([python, "-m", "bot", "db", "current"], bot_env(database_url)))
            seconds, megabytes = await start_bot(stub, api, database_url)
            startup.append(seconds)
            rss.append(megabytes)
    ratio = statistics.median(startup) / statistics.median(baseline)
    print(f"start-up ({persons:,} persons in the database):")
    print(f"  import aiogram, sqlalchemy  {spread(baseline)}")
    print(f"  bot run → first getUpdates  {spread(startup)}   ratio {ratio:.2f}×")
    print(f"  db current (does nothing)   {spread(noop)}")
    rss_line = " ".join(f"{m:.0f}" for m in rss)
    print(f"  idle RSS                    {rss_line} MB, median {statistics.median(rss):.0f} MB")
    return {
        "startup_s": statistics.median(startup),
        "baseline_s": statistics.median(baseline),
        "startup_ratio": ratio,
        "cli_noop_s": statistics.median(noop),
        "idle_rss_mb": statistics.median(rss),
    }


async def spread_regrading(sessionmaker: Any) -> int:
    """Give every active risk a re-grading date, spread hour by hour over the year after NOW's
    hour (as a register approved over a year would be): the hourly scan's first run finds an
    hour's worth due (1/8760 of them), as it would in a deployment. Returns how many."""
    async with sessionmaker() as session:
        ids = (
            await session.scalars(
                select(RiskPoint.id).where(RiskPoint.status == RiskState.PUBLICISED.value)
            )
        ).all()
        rows = [
            {
                "risk_id": risk_id,
                "version": 1,
                "regrading_due_at": NOW + timedelta(hours=n % HOURS),
            }
            for n, risk_id in enumerate(ids, start=HOURS - 1)
        ]
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(RiskReview), rows[start : start + 10_000])
        await session.commit()
    return sum(1 for row in rows if row["regrading_due_at"] <= NOW)


async def scan_figures(folder: Path, runs: int, scale: int) -> dict[str, float]:
    """Each periodic job alone, `runs` times, over `scale` districts (the first run does
    what is due, the later ones find it done: both should cost little)."""
    engine, sessionmaker = await migrated(
        f"sqlite+aiosqlite:///{folder / f'scans{scale}.sqlite3'}"
    )
    started = time.perf_counter()
    async with sessionmaker() as session:
        report = await generate(session, scale=scale, today=NOW.date())
        await session.commit()
    due = await spread_regrading(sessionmaker)
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    print(
        f"scans at {scale} district(s): {report.risks:,} risk points, {report.measures:,} "
        f"measures (generated in {time.perf_counter() - started:.0f} s); {due} due for "
        "re-grading in this hour"
    )
    settings = bench_settings()
    clock = FakeClock(NOW)
    medians: dict[str, float] = {}
    for job in all_jobs(settings):

        async def once(job_run: Any = job.run) -> None:
            await run_job(job_run, sessionmaker, clock, settings, NOW)

        times = await timed(runs, once)
        medians[job.name] = statistics.median(times)
        print(f"  {job.name:<26} {spread(times)}")
    await engine.dispose()
    return medians


async def main(args: argparse.Namespace) -> dict[str, Any]:
    print(f"({load_average()})")
    compile_project()
    with temp_folder() as tmp:
        folder = Path(tmp)
        summary = await startup_figures(folder, args.runs, args.persons)
        scans = {scale: await scan_figures(folder, args.runs, scale) for scale in args.scales}
    largest = max(args.scales)
    summary["regrading_scan_100_s"] = scans[largest]["review_regrading_due"]
    summary["scans_s"] = {
        str(scale): {name: round(s, 4) for name, s in figures.items()}
        for scale, figures in scans.items()
    }
    summary["largest_scale"] = largest
    summary["load_average"] = round(os.getloadavg()[0], 2)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument(
        "--scales", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10, 100]
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False))
