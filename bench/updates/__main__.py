"""Conversational updates: Qingfeng against a bare aiogram echo bot, through the sandbox.

    python -m bench.updates [--personas 100] [--rate 200] [--seconds 10] [--runs 3]
                            [--databases sqlite,postgresql] [--scale 1] [--replicas 1,2]

Builds a database of the seed's size with the generator (`python -m bot demo seed-scale`),
binds `--personas` of its staff to sandbox personas, then for each target in turn (the echo
bot, Qingfeng on each database) and each run: starts it as a child process, times start-up to
its first answer, takes each step once alone (statements and connections per update kind
from the bot's JSON log), then drives the mix (`/start`, `/help`, `/risks`, a page button) at
`--rate` a second and then closed loop. On PostgreSQL, then, Qingfeng as `--replicas` webhook
replicas (one, then two), the sandbox delivering to them round robin as a load balancer
would: `two_replicas_ratio` is two replicas' closed-loop updates a second over one's. Each run
prints the CPU each process used in the closed loop (in cores), and the machine's. Last line:
one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from typing import Any

import aiohttp

from bench import TOKEN, compile_project, control, free_port, sandbox_process, temp_folder
from bench.updates.database import prepare_database
from bench.updates.driver import Driver
from bench.updates.processes import Target, echo, qingfeng, qingfeng_replicas
from bench.updates.report import RunFigures, measure_run, print_summary, summary_json

# The bot's own pacing (Telegram's 30 messages a second, 1 a second per chat) would measure
# Telegram's limits, not the bot: the sandbox enforces none here, and the echo bot has none.
UNPACED = {
    "HEALTH_PORT": "0",
    "DELIVERY_GLOBAL_RATE": "100000",
    "DELIVERY_CHAT_RATE": "1000",
    "DELIVERY_CHAT_BURST": "1000",
}
POSTGRES_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def measure_target(
    http: aiohttp.ClientSession,
    api: str,
    make_target: Any,
    user_ids: list[int],
    args: argparse.Namespace,
) -> list[RunFigures]:
    """`args.runs` runs of one target; `make_target(run)` gives a fresh (stopped) Target."""
    runs = []
    for number in range(args.runs):
        target: Target = make_target(number)
        driver = Driver(http, api, user_ids)
        figures = await measure_run(target, driver, http, api, args)
        print(f"  {target.name} run {number + 1}: {figures.line()}", flush=True)
        runs.append(figures)
    return runs


async def measure_replicas(
    http: aiohttp.ClientSession,
    api: str,
    database_url: str,
    counts: list[int],
    user_ids: list[int],
    folder: Path,
    args: argparse.Namespace,
) -> dict[str, list[RunFigures]]:
    """Each run: one replica, then two (so each pair of runs meets about the same load)."""
    results: dict[str, list[RunFigures]] = {f"postgresql-webhook-{n}": [] for n in counts}
    for number in range(args.runs):
        for count in counts:
            name = f"postgresql-webhook-{count}"
            target = qingfeng_replicas(
                name, count, api, TOKEN, database_url, folder / f"run{number}", **UNPACED
            )
            figures = await measure_run(target, Driver(http, api, user_ids), http, api, args)
            print(f"  {name} run {number + 1}: {figures.line()}", flush=True)
            print(f"    closed-loop CPU in cores: {figures.closed_cpu}", flush=True)
            results[name].append(figures)
    return results


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, list[RunFigures]] = {}
    compile_project()
    with temp_folder() as tmp:
        folder = Path(os.environ.get("BENCH_UPDATES_FOLDER") or tmp)
        async with sandbox_process(free_port()) as api, aiohttp.ClientSession() as http:
            databases = {}
            for kind in args.databases.split(","):
                print(
                    f"building the {kind} database (seed-scale --scale {args.scale})", flush=True
                )
                databases[kind] = await prepare_database(kind, folder, args, POSTGRES_ADMIN)
            user_ids = next(iter(databases.values())).user_ids
            people = [{"name": f"P{u}", "user_id": u, "lang": "zh-hans"} for u in user_ids]
            await control(http, api, "POST", "/personas/batch", personas=people)

            print("echo bot", flush=True)
            results["echo"] = await measure_target(
                http, api, lambda n: echo(api, TOKEN, folder / f"echo-{n}.log"), user_ids, args
            )
            for kind, database in databases.items():
                print(f"Qingfeng on {kind}", flush=True)
                results[kind] = await measure_target(
                    http,
                    api,
                    lambda n, kind=kind, url=database.url: qingfeng(
                        kind, api, TOKEN, url, folder / f"{kind}-{n}.log", **UNPACED
                    ),
                    user_ids,
                    args,
                )
            postgres = databases.get("postgresql")
            if postgres and args.replicas:
                counts = [int(n) for n in args.replicas.split(",")]
                print(f"Qingfeng on postgresql as {counts} webhook replicas, in turn", flush=True)
                results.update(await measure_replicas(http, api, postgres.url, counts, user_ids,
                                                      folder, args))  # fmt: skip
            for database in databases.values():
                await database.drop()
    print_summary(results, args)
    return summary_json(results, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--personas", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--replicas", default="1,2", help="webhook replica counts on PostgreSQL ('' for none)"
    )
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
