"""Broadcast benchmark: 10,000 recipients through the sandbox with Telegram's flood limits on,
2% injected 5xx and 1% of recipients who blocked the bot.

Interactive latency is measured by timing direct `bot.send_message` calls (as a handler's
reply would be sent: not through the outbox) through the same paced Bot session, to chats
outside the broadcast, first while idle and then during the broadcast.

    python -m bench.delivery [--recipients 10000] [--seed 1] [--cpu-load quiet|loaded|both]
                             [--runs 1]

`--cpu-load loaded` runs it with a second, CPU-bound process busy beside it the whole time
(as on a shared machine); `both` runs it quiet and then loaded and reports the two.
`--runs N` repeats that N times and prints each ratio's min / median / max with the load.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from aiogram.exceptions import TelegramServerError
from sqlalchemy import func, select

from bench import (
    CallLog,
    add_recipients,
    bench_settings,
    control,
    database_url,
    enqueue_each,
    free_port,
    make_bot,
    migrated,
    percentile,
    sandbox_process,
    temp_folder,
)
from bot.app.heap import freeze_startup_heap
from bot.app.pacing import Pacer
from bot.app.pacing_middleware import install_pacing
from bot.app.sender import OutboxSender
from bot.delivery.outbox import batch_progress
from bot.domain.clock import Clock
from storage.db import background_engine, make_sessionmaker
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus

FIRST_ID = 500_000_001
PROBE_IDS = range(900_000_001, 900_000_041)  # 40 probe chats: each well under 1 message/s
BATCH = "bench-broadcast"


async def try_send(bot: Any, chat: int, text: str) -> bool:
    """One interactive send; the injected 5xx hit these too, and are left out of the timing."""
    try:
        await bot.send_message(chat, text)
    except TelegramServerError:
        return False
    return True


async def probe(
    bot: Any, chats: list[int], latencies: list[float], every: float, stop: asyncio.Event
) -> None:
    """Time interactive sends, one every `every` seconds, round robin over `chats`."""
    i = 0
    while not stop.is_set():
        started = time.monotonic()
        if await try_send(bot, chats[i % len(chats)], f"reply {i}"):
            latencies.append(time.monotonic() - started)
        i += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def idle_probe(bot: Any, chats: list[int], count: int) -> list[float]:
    """The same sends as `probe`, with nothing else going on."""
    latencies: list[float] = []
    for i in range(count):
        started = time.monotonic()
        if await try_send(bot, chats[i % len(chats)], f"idle {i}"):
            latencies.append(time.monotonic() - started)
        await asyncio.sleep(0.1)
    return latencies


async def run(recipients: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with temp_folder() as tmp:
        url = database_url(Path(tmp))
        settings = bench_settings(url)
        engine, sessionmaker = await migrated(url, pooled=True)
        async with (
            sandbox_process(free_port()) as api,
            aiohttp.ClientSession() as http,
            # The sender's engine, as the bot's (`bot.app.cli_commands.cmd_run`) makes it.
            background_engine(engine) as sending,
        ):
            chats = list(range(FIRST_ID, FIRST_ID + recipients))
            blocked = sorted(rng.sample(chats, recipients // 100))
            people = [{"name": f"R{c}", "user_id": c, "lang": "en"} for c in chats]
            people += [{"name": f"Probe{c}", "user_id": c} for c in PROBE_IDS]
            await control(http, api, "POST", "/personas/batch", personas=people)
            await control(
                http,
                api,
                "PUT",
                "/faults",
                flood={"enabled": True},
                error_rate=0.02,
                seed=seed,
                blocked_users=blocked,
            )

            await add_recipients(sessionmaker, chats)
            started = time.monotonic()
            await enqueue_each(
                sessionmaker,
                chats,
                "<b>通知</b> broadcast to {chat}",
                kind="bench.broadcast",
                batch_id=BATCH,
                settings=settings,
            )
            enqueue_seconds = time.monotonic() - started
            print(f"enqueued {recipients} rows in one transaction in {enqueue_seconds:.1f}s")

            bot = make_bot(api)
            pacer = Pacer.from_settings(settings)
            paced = install_pacing(bot, pacer)
            calls = CallLog()
            bot.session.middleware(calls)  # inside pacing: logs when calls go on the wire
            probes = list(PROBE_IDS)
            freeze_startup_heap()  # as `python -m bot run` does once it is ready to serve
            idle = await idle_probe(bot, probes, 200)

            sender = OutboxSender(
                bot, make_sessionmaker(sending), settings, pacer=pacer, clock=Clock()
            )
            calls.times.clear()
            broadcast_started = time.monotonic()
            await sender.start()
            busy: list[float] = []
            stop_probing = asyncio.Event()
            probing = asyncio.create_task(probe(bot, probes, busy, 0.5, stop_probing))
            first_pass_done: float | None = None
            last_report = 0.0
            while True:
                await asyncio.sleep(1)
                async with sessionmaker() as session:
                    progress = await batch_progress(session, BATCH)
                    never_tried = await session.scalar(
                        select(func.count())
                        .select_from(OutboxMessage)
                        .where(
                            OutboxMessage.batch_id == BATCH,
                            OutboxMessage.status == OutboxStatus.PENDING,
                            OutboxMessage.attempts == 0,
                            OutboxMessage.throttled == 0,
                        )
                    )
                now = time.monotonic()
                if first_pass_done is None and not never_tried:
                    first_pass_done = now
                if now - last_report >= 30:
                    last_report = now
                    print(
                        f"  {now - broadcast_started:5.0f}s  sent {progress.sent}  "
                        f"failed {progress.failed}  cancelled {progress.cancelled}  "
                        f"pending {progress.pending}"
                    )
                if progress.pending == 0:
                    break
            finished = time.monotonic()
            stop_probing.set()
            await probing
            await sender.stop()
            await bot.session.close()

            stats = await control(http, api, "GET", "/stats")
            log = (await control(http, api, "GET", "/deliveries"))["deliveries"]
        async with sessionmaker() as session:
            rows = await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            statuses = {status: count for status, count in rows}
            unreachable = await session.scalar(
                select(func.count()).select_from(Person).where(Person.unreachable.is_(True))
            )
        await engine.dispose()

    broadcast_calls = [t for t in calls.times if t <= (first_pass_done or finished)]
    main_phase = (first_pass_done or finished) - broadcast_started
    limit = settings.delivery_global_rate
    per_chat = Counter(d["chat_id"] for d in log if d["text"].startswith("通知"))
    expected = set(range(FIRST_ID, FIRST_ID + recipients)) - set(blocked)
    result = {
        "recipients": recipients,
        "blocked_recipients": len(blocked),
        "configured_limit_per_s": limit,
        "main_phase_s": round(main_phase, 1),
        "total_s": round(finished - broadcast_started, 1),
        "calls_per_s_main_phase": round(len(broadcast_calls) / main_phase, 2),
        "share_of_limit": round(len(broadcast_calls) / main_phase / limit, 4),
        "delivered_per_s_overall": round(len(per_chat) / (finished - broadcast_started), 2),
        "lost": len(expected - set(per_chat)),
        "sent_twice": sum(1 for n in per_chat.values() if n > 1),
        "sent_to_blocked": len(set(blocked) & set(per_chat)),
        "throttled_429": stats["too_many_requests"],
        "throttled_429_seen_by_bot": paced.throttled,
        "injected_5xx": stats["injected_errors"],
        "blocked_403": stats["blocked"],
        "marked_unreachable": unreachable,
        "row_statuses": statuses,
        "latency_method": "direct bot.send_message through the paced session",
        "latency_idle_p50_ms": round(percentile(idle, 0.5) * 1000, 2),
        "latency_idle_p95_ms": round(percentile(idle, 0.95) * 1000, 2),
        "latency_busy_p50_ms": round(percentile(busy, 0.5) * 1000, 2),
        "latency_busy_p95_ms": round(percentile(busy, 0.95) * 1000, 2),
        "latency_samples_busy": len(busy),
        "latency_ratio_p50": round(percentile(busy, 0.5) / percentile(idle, 0.5), 2),
        "latency_ratio_p95": round(percentile(busy, 0.95) / percentile(idle, 0.95), 2),
        "enqueue_s": round(enqueue_seconds, 1),
    }
    return result


BUSY_LOOP = "while True: pass"


@contextlib.contextmanager
def cpu_load(loaded: bool) -> Any:
    """A second process spinning on a CPU for as long as the block runs (when `loaded`)."""
    if not loaded:
        yield
        return
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    try:
        yield
    finally:
        busy.kill()
        busy.wait()


def run_once(recipients: int, seed: int, loaded: bool) -> dict[str, Any]:
    with cpu_load(loaded):
        result = asyncio.run(run(recipients, seed))
    return {**result, "cpu_load": "loaded" if loaded else "quiet", "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu-load", choices=("quiet", "loaded", "both"), default="quiet")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    modes = {"quiet": [False], "loaded": [True], "both": [False, True]}[args.cpu_load]
    results = [
        run_once(args.recipients, args.seed, loaded) for _ in range(args.runs) for loaded in modes
    ]
    for result in results:
        report(result)
    if len(results) == 1:
        print(json.dumps(results[0], ensure_ascii=False))
        return
    summary: dict[str, Any] = {"runs": results}
    for mode in ("quiet", "loaded"):
        ratios = [r["latency_ratio_p95"] for r in results if r["cpu_load"] == mode]
        if ratios:
            loads = [r["load_average"][0] for r in results if r["cpu_load"] == mode]
            summary[f"{mode}_latency_ratio_p95"] = statistics.median(ratios)
            print(
                f"{mode}: interactive p95 during ÷ idle over {len(ratios)} run(s), min / median"
                f" / max {min(ratios):.2f} / {statistics.median(ratios):.2f} / {max(ratios):.2f}"
                f"  (load {min(loads):.1f}–{max(loads):.1f})"
            )
    print(json.dumps(summary, ensure_ascii=False))


def report(result: dict[str, Any]) -> None:
    print()
    print(f"recipients            {result['recipients']} ({result['blocked_recipients']} blocked)")
    print(
        f"throughput            {result['calls_per_s_main_phase']}/s sending calls "
        f"= {result['share_of_limit']:.1%} of the {result['configured_limit_per_s']:g}/s limit "
        f"(while the first pass ran, {result['main_phase_s']}s; target >= 95%)"
    )
    print(f"whole broadcast       {result['total_s']}s incl. retries")
    print(f"lost                  {result['lost']} (target 0)")
    print(f"sent twice            {result['sent_twice']} (target 0)")
    print(f"sent to blocked       {result['sent_to_blocked']}")
    print(f"429 received          {result['throttled_429']} (target ~0)")
    print(f"5xx injected / 403    {result['injected_5xx']} / {result['blocked_403']}")
    print(f"marked unreachable    {result['marked_unreachable']}")
    print(f"row statuses          {result['row_statuses']}")
    print(f"interactive latency   ({result['latency_method']})")
    print(
        f"  idle p50/p95        {result['latency_idle_p50_ms']} / "
        f"{result['latency_idle_p95_ms']} ms"
    )
    print(
        f"  broadcast p50/p95   {result['latency_busy_p50_ms']} / "
        f"{result['latency_busy_p95_ms']} ms  ({result['latency_samples_busy']} samples)"
    )
    print(
        f"  ratio p50/p95       {result['latency_ratio_p50']} / {result['latency_ratio_p95']} "
        "(target <= 1.5)"
    )
    print(f"CPU load              {result['cpu_load']} (load average {result['load_average']})")


if __name__ == "__main__":
    main()
