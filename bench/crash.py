"""Crash benchmark: the sending process is killed with SIGKILL mid-broadcast, then restarted.

The sandbox (flood limits on, some answers slowed so requests are on the wire at the kill)
runs in this process; the outbox sender runs in a child process against a file SQLite
database (or BENCH_DATABASE_URL). After the restart, rows whose lease expired are sent again.
Nothing may be lost; only the rows in flight at the kill may arrive twice.

    python -m bench.crash [--recipients 3000] [--kill-after 0.4]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bench import (
    PROJECT_ROOT,
    TOKEN,
    bench_settings,
    database_url,
    enqueue_each,
    free_port,
    migrated,
    temp_folder,
)
from bot.sandbox import WORLD_KEY, create_sandbox_app
from bot.settings import Settings
from storage.db import make_engine, make_sessionmaker
from storage.models.outbox import OutboxMessage, OutboxStatus

FIRST_ID = 600_000_001
CONCURRENCY = 8
LEASE_SECONDS = 20  # short, so the restarted sender recovers soon; > request timeout + 4
REQUEST_TIMEOUT = 10


def child_env(url: str, api: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api,
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
        "DELIVERY_CONCURRENCY": str(CONCURRENCY),
        "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "DELIVERY_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
        "DELIVERY_POLL_SECONDS": "0.5",
    }


async def child_main() -> None:
    """The sending process: an OutboxSender until SIGTERM (or SIGKILL)."""
    from bot.app.pacing import Pacer
    from bot.app.pacing_middleware import install_pacing
    from bot.app.sender import OutboxSender
    from bot.app.wiring import create_bot
    from bot.domain.clock import Clock

    settings = Settings()
    # The sender's engine, as the bot's (`bot.app.cli_commands.cmd_run`) makes it.
    engine = make_engine(settings.database_url, pooled=True, threaded=True)
    bot = create_bot(settings)
    pacer = Pacer.from_settings(settings)
    install_pacing(bot, pacer)
    sender = OutboxSender(bot, make_sessionmaker(engine), settings, pacer=pacer, clock=Clock())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await sender.run(stop)
    await bot.session.close()
    await engine.dispose()


async def spawn(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "import asyncio; from bench.crash import child_main; asyncio.run(child_main())",
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )


async def count_rows(sessionmaker: Any, *statuses: str) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(statuses))
            )
            or 0
        )


async def run(recipients: int, kill_after: float) -> dict[str, Any]:
    with temp_folder() as tmp:
        folder = Path(tmp)
        url = database_url(folder)
        engine, sessionmaker = await migrated(url)
        settings = bench_settings(url, bot_token=None)

        # The killed process's half-sent requests make aiohttp log "Connection lost": expected.
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
        app = create_sandbox_app(TOKEN)
        world = app[WORLD_KEY]
        world.flood_config.enabled = True
        # A third of the answers take 150 ms: requests are on the wire when the kill comes.
        world.faults.config.slow_rate = 0.3
        world.faults.config.slow_ms = 150
        chats = list(range(FIRST_ID, FIRST_ID + recipients))
        world.add_personas({"name": f"R{c}", "user_id": c} for c in chats)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        api = f"http://127.0.0.1:{port}"

        await enqueue_each(
            sessionmaker, chats, "crash test {chat}", kind="bench.crash", settings=settings
        )
        env = child_env(url, api)
        log = folder / "sender.log"

        started = time.monotonic()
        child = await spawn(env, log)
        kill_at = int(recipients * kill_after)
        while len(world.deliveries) < kill_at:
            await world.changes.wait(1)
        child.send_signal(signal.SIGKILL)
        await child.wait()
        killed_at = time.monotonic()
        delivered_at_kill = len(world.deliveries)
        # Claimed rows whose outcome was never written: the only ones that can go twice.
        in_flight = await count_rows(sessionmaker, OutboxStatus.SENDING)
        sent_rows_at_kill = await count_rows(sessionmaker, OutboxStatus.SENT)
        print(
            f"killed after {killed_at - started:.1f}s: {delivered_at_kill} delivered, "
            f"{sent_rows_at_kill} recorded sent, {in_flight} rows claimed without an outcome"
        )
        await asyncio.sleep(0.5)  # requests the dead process left on the wire get answered
        delivered_after_kill = len(world.deliveries)

        child = await spawn(env, log)
        async with asyncio.timeout(recipients / 10 + LEASE_SECONDS + 120):
            while await count_rows(sessionmaker, OutboxStatus.PENDING, OutboxStatus.SENDING):
                await world.changes.wait(0.5)  # each delivery, or half a second
        finished = time.monotonic()
        child.send_signal(signal.SIGTERM)
        await child.wait()

        per_chat = Counter(d["chat_id"] for d in world.deliveries)
        statuses = Counter()
        async with sessionmaker() as session:
            for status, count in await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ):
                statuses[status] = count
        await runner.cleanup()
        await engine.dispose()

    sent_twice = sum(1 for n in per_chat.values() if n > 1)
    return {
        "recipients": recipients,
        "killed_after_s": round(killed_at - started, 1),
        "delivered_at_kill": delivered_at_kill,
        "delivered_by_dead_process_after_kill": delivered_after_kill - delivered_at_kill,
        "in_flight_at_kill": in_flight,
        "duplicate_bound": CONCURRENCY,
        "lost": len(set(chats) - set(per_chat)),
        "sent_twice": sent_twice,
        "extra_copies": sum(n - 1 for n in per_chat.values() if n > 1),
        "within_bound": sent_twice <= in_flight <= CONCURRENCY,
        "row_statuses": dict(statuses),
        "throttled_429": world.counters.too_many_requests,
        "total_s": round(finished - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument(
        "--kill-after", type=float, default=0.4, help="share delivered before the kill"
    )
    args = parser.parse_args()
    result = asyncio.run(run(args.recipients, args.kill_after))
    print()
    print(f"recipients          {result['recipients']}")
    print(
        f"killed (SIGKILL)    after {result['killed_after_s']}s, "
        f"{result['delivered_at_kill']} delivered"
    )
    print(
        f"in flight at kill   {result['in_flight_at_kill']} rows claimed, outcome unwritten "
        f"(bound: DELIVERY_CONCURRENCY = {result['duplicate_bound']})"
    )
    print(f"lost                {result['lost']} (target 0)")
    print(
        f"sent twice          {result['sent_twice']} (target <= in flight at kill; "
        f"{result['extra_copies']} extra copies)"
    )
    print(f"429 received        {result['throttled_429']}")
    print(f"row statuses        {result['row_statuses']}")
    print(
        f"total               {result['total_s']}s (restart waits out the {LEASE_SECONDS}s lease)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
