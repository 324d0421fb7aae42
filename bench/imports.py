"""Import benchmark: a district's four files (units, people, powers, the register: the seed's
size, written by `bot/demo/district_files.py` from `demo seed-scale`) imported into a fresh
database, and ten districts' files, in the same run; then the same district through the CLI
(`python -m bot import …`, start-up included, and `db current` beside it for the start-up
alone), and a 100,000-row XLSX of bad rows through the CLI (time, peak memory, lines).

    python -m bench.imports [--runs 3] [--scale 10]

File SQLite. Figures are min / median / max of `--runs` runs with the load average beside
them; the last line printed is one JSON object (`district_imports_s`: the four imports of one
district in process, start-up excluded; `ten_to_one_ratio`: ten districts' over one's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import PROJECT_ROOT, temp_folder
from bot.demo.district_files import DistrictFiles, configure, write_files
from bot.demo.seed_scale import generate
from bot.domain.clock import Clock
from bot.services.org_import import import_units
from bot.services.people_import import import_people
from bot.services.register_files import REGISTER_HEADER_ZH, import_powers, import_risks
from bot.settings import Settings
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.migrate import upgrade

TODAY = date(2026, 11, 26)
KINDS = ("units", "people", "powers", "risks")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def spread(times: list[float]) -> str:
    return (
        f"min {min(times):.2f} s  median {statistics.median(times):.2f} s  max {max(times):.2f} s"
    )


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, bot_token="123456:BENCH", database_url=url)  # type: ignore[call-arg]


async def fresh(folder: Path, name: str) -> str:
    """A migrated, configured, empty database; its URL."""
    path = folder / f"{name}.db"
    path.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    engine = make_engine(url)
    await upgrade(engine)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await configure(session, Clock())
    await engine.dispose()
    return url


async def district_files(folder: Path, scale: int) -> DistrictFiles:
    url = await fresh(folder, f"generated{scale}")
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        await generate(session, scale=scale, today=TODAY)
    async with unit_of_work(sessionmaker) as session:
        files = await write_files(session, folder / f"files{scale}")
    await engine.dispose()
    return files


async def import_all(url: str, files: DistrictFiles) -> dict[str, float]:
    """The four imports in process, each its own unit of work; seconds per kind."""
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    settings, clock = settings_for(url), Clock()
    times: dict[str, float] = {}
    for kind, path in files.in_order():
        started = time.perf_counter()
        async with unit_of_work(sessionmaker) as session:
            if kind == "units":
                await import_units(session, clock, path)
            elif kind == "people":
                await import_people(session, clock, path, ttl_days=30)
            elif kind == "powers":
                await import_powers(session, clock, path)
            else:
                await import_risks(session, clock, path, today=TODAY, settings=settings)
        times[kind] = time.perf_counter() - started
    await engine.dispose()
    return times


def cli(url: str, *args: str) -> tuple[float, int, int]:
    """`python -m bot ARGS`: (seconds, exit status, peak RSS in MB)."""
    env = os.environ | {"DATABASE_URL": url, "BOT_USERNAME": "qingfeng_bench_bot"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, process.returncode, usage.ru_maxrss // 1024


def huge_xlsx(path: Path, rows: int) -> None:
    """A register of `rows` bad rows (an unknown risk type), written streaming."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(REGISTER_HEADER_ZH))
    for n in range(rows):
        sheet.append(["长安区/卫生局/医政科", "医政审批岗", "", f"风险{n}", "不知道", "", "",
                      "措施", "王芳", "2026-12-31", "已提交"])  # fmt: skip
    workbook.save(path)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with temp_folder() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        one = await district_files(folder, 1)
        many = await district_files(folder, args.scale)
        print(f"files for 1 and {args.scale} districts written in "
              f"{time.perf_counter() - started:.1f} s  ({load()})")  # fmt: skip
        singles: list[float] = []
        tens: list[float] = []
        kinds: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for run in range(args.runs):
            times = await import_all(await fresh(folder, "one"), one)
            singles.append(sum(times.values()))
            for kind, seconds in times.items():
                kinds[kind].append(seconds)
            tens.append(sum((await import_all(await fresh(folder, "ten"), many)).values()))
            print(f"run {run + 1}: one district {singles[-1]:.2f} s "
                  f"({', '.join(f'{k} {v:.2f}' for k, v in times.items())}), "
                  f"{args.scale} districts {tens[-1]:.2f} s  ({load()})")  # fmt: skip
        whole, startup = [], []
        for _ in range(args.runs):
            url = await fresh(folder, "cli")
            startup.append(cli(url, "db", "current")[0])
            seconds = [cli(url, "import", kind, str(path)) for kind, path in one.in_order()]
            assert all(status == 0 for _s, status, _m in seconds), seconds
            whole.append(sum(s for s, _status, _m in seconds))
        huge = folder / "huge.xlsx"
        huge_xlsx(huge, args.huge_rows)
        url = await fresh(folder, "huge")
        huge_s, huge_status, huge_mb = cli(url, "import", "risks", str(huge))
        idle_s, _status, idle_mb = cli(url, "db", "current")
    ratio = statistics.median(tens) / statistics.median(singles)
    print(f"one district, four imports (in process)   {spread(singles)}")
    for kind, values in kinds.items():
        print(f"  {kind:<8}                                 {spread(values)}")
    print(f"{args.scale} districts, four imports (in process) {spread(tens)}")
    print(f"ratio {args.scale} : 1 (medians)                    {ratio:.2f}  (linear: ≤ 11)")
    print(f"one district through the CLI (4 commands)  {spread(whole)}")
    print(f"  CLI start-up alone (db current)          {spread(startup)}")
    excluded = [w - 4 * s for w, s in zip(whole, startup, strict=True)]
    print(f"  CLI imports excluding 4 start-ups        {spread(excluded)}")
    print(f"{args.huge_rows:,}-row bad XLSX through the CLI: {huge_s:.1f} s, exit {huge_status}, "
          f"peak RSS {huge_mb} MB (db current: {idle_mb} MB, {idle_s:.1f} s)")  # fmt: skip
    print(load())
    return {
        "district_imports_s": round(statistics.median(singles), 2),
        "district_imports_min_s": round(min(singles), 2),
        "district_imports_max_s": round(max(singles), 2),
        "ten_districts_s": round(statistics.median(tens), 2),
        "ten_to_one_ratio": round(ratio, 2),
        "cli_district_imports_s": round(statistics.median(whole), 2),
        "cli_startup_s": round(statistics.median(startup), 2),
        "cli_excluding_startup_s": round(statistics.median(excluded), 2),
        "huge_xlsx_rows": args.huge_rows,
        "huge_xlsx_s": round(huge_s, 1),
        "huge_xlsx_peak_rss_mb": huge_mb,
        "idle_cli_peak_rss_mb": idle_mb,
        "runs": args.runs,
        "load": os.getloadavg()[0],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--huge-rows", type=int, default=100_000)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
