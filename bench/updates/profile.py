"""The hot path in process, under cProfile: CPU per update kind and where it goes.

    python -m bench.updates.profile [--personas 20] [--rounds 10] [--scale 1] [--top 30]

The seed-size database (SQLite) as `bench.updates` builds it, the real dispatcher fed with
`dp.feed_update` by a recording bot (no network, no sandbox), `--personas` staff each taking
`/start`, `/help`, `/risks` and a page press `--rounds` times after one warm-up round. Prints
CPU ms per update (process time, no profiler) by kind, then, from one more round under
cProfile (process time), the top functions by own time and by cumulative time. Last line:
one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench import bench_settings, load_average, temp_folder
from bench.updates.database import prepare_database
from bot.app.heap import freeze_startup_heap
from bot.app.wiring import create_dispatcher
from handlers.callbacks import ListName, PageCb
from storage.db import make_engine, make_sessionmaker
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user

STEPS = ("/start", "/help", "/risks", "page")


def _update(step: str, telegram_id: int) -> Any:
    who = user(telegram_id)
    if step == "page":
        return callback_update(who, PageCb(list=ListName.RISKS, offset=10).pack())
    return message_update(who, step)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    print(f"({load_average()})")
    with temp_folder() as tmp:
        database = await prepare_database("sqlite", Path(tmp), args, "")
        settings = bench_settings(database.url, log_level="WARNING")
        engine = make_engine(database.url, pooled=True)  # as `run` makes it
        dp = create_dispatcher(settings, make_sessionmaker(engine))
        bot = MockedBot()
        for telegram_id in database.user_ids:  # first contact: menus set, and so on
            for step in STEPS:
                await dp.feed_update(bot, _update(step, telegram_id))
        freeze_startup_heap()  # as `python -m bot run` does once it is ready to serve
        cpu: dict[str, list[float]] = defaultdict(list)
        started = time.perf_counter()
        for _ in range(args.rounds):  # CPU per update, no profiler
            for telegram_id in database.user_ids:
                for step in STEPS:
                    update = _update(step, telegram_id)
                    before = time.process_time()
                    await dp.feed_update(bot, update)
                    cpu[step].append((time.process_time() - before) * 1000)
        elapsed = time.perf_counter() - started
        profile = cProfile.Profile(time.process_time)  # then where the CPU goes
        for telegram_id in database.user_ids:
            for step in STEPS:
                update = _update(step, telegram_id)
                profile.enable()
                await dp.feed_update(bot, update)
                profile.disable()
        await engine.dispose()
    count = sum(len(v) for v in cpu.values())
    print(f"{count} updates in {elapsed:.1f} s, one at a time ({load_average()})")
    for step, values in cpu.items():
        print(f"  {step:<8} CPU ms per update: median {statistics.median(values):.1f}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    return {
        "cpu_ms": {step: round(statistics.median(v), 2) for step, v in cpu.items()},
        "cpu_ms_all": round(statistics.median([x for v in cpu.values() for x in v]), 2),
        "updates": count,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--personas", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
