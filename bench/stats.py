"""Leaders' figures benchmark: the overview and its chart at district scale (the seed's
numbers) and at province scale (100 districts: 235,100 risk points, 142,500 powers, 260,000
measures), on SQLite and on PostgreSQL, each beside a single bare aggregate query over the same
tables measured in the same run; and a digest run for 1,000 subscribed leaders at province
scale, with the queries it makes per digest.

    python -m bench.stats [--scale 100] [--leaders 1000] [--runs 3] [--no-postgres]

PostgreSQL: BENCH_POSTGRES_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test), in
fresh schemas of its own, dropped at the end. Figures are min / median / max of `--runs`
rounds with the load average beside them (the machine is shared); each round times the
overview, the bare aggregate and the chart one after the other, and the ratios are taken per
round (the same load). The overview reads the units' kept figures (`unit_figures`, refreshed
after the bulk load as the refresh job does); each round also writes the posts of
`WRITTEN_UNITS` units and times the overview with those units logged (counted live), then
their refresh. The first overview after the load (every unit logged) is printed too. The
last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, literal, select, text, union_all, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import bench_settings, load_average, spread, temp_folder, timed
from bot.app.heap import freeze_startup_heap
from bot.demo.seed_scale import generate
from bot.services.stats import digests, summary
from bot.services.stats.chart import cjk_font, render_chart
from bot.services.stats.digests import send_due_digests
from bot.services.stats.overview import Scope, overview
from storage.base import Base
from storage.db import SessionMaker, make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models.digest import DigestSubscription
from storage.models.org import Person, Post, RoleAssignment
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint
from tests.kit.db import counting, own_schema

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
MONDAY = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)  # 09:05 in Shanghai: weekly digests due
TODAY = MONDAY.date()
# Units whose records are written between two refreshes in the "units written" figure.
WRITTEN_UNITS = 20


@contextlib.asynccontextmanager
async def database(backend: str, name: str, folder: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh, migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{folder / name}.sqlite3")
        await upgrade(engine)
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    async with own_schema(POSTGRES_URL, f"qf_bench_stats_{os.getpid()}_{name}") as engine:
        await upgrade(engine)
        yield engine


async def bare_aggregate(sessionmaker: SessionMaker) -> None:
    """The baseline: ONE statement counting, per unit, every table the overview reads (powers,
    posts, risk points, measures, reports) — no conditions, no sums, no folding."""
    powers = select(Power.unit_id.label("unit"), func.count().label("n")).group_by(Power.unit_id)
    risks = (
        select(Post.unit_id.label("unit"), func.count().label("n"))
        .select_from(RiskPoint)
        .join(Post, Post.id == RiskPoint.post_id)
        .group_by(Post.unit_id)
    )
    measures = (
        select(Post.unit_id.label("unit"), func.count().label("n"))
        .select_from(ControlMeasure)
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
        .join(Post, Post.id == RiskPoint.post_id)
        .group_by(Post.unit_id)
    )
    reports = select(literal(0).label("unit"), func.count().label("n")).select_from(MeasureReport)
    async with sessionmaker() as session:
        await session.execute(union_all(powers, risks, measures, reports))


async def risk_aggregate(sessionmaker: SessionMaker) -> None:
    """A narrower baseline, printed beside: risk points by unit and level (one table joined)."""
    async with sessionmaker() as session:
        level = func.coalesce(RiskPoint.level, RiskPoint.suggested_level)
        await session.execute(
            select(Post.unit_id, level, func.count())
            .select_from(RiskPoint)
            .join(Post, Post.id == RiskPoint.post_id)
            .group_by(Post.unit_id, level)
        )


async def refresh(sessionmaker: SessionMaker) -> int:
    """What the refresh job does once a minute: recount the logged units, keep them."""
    async with sessionmaker() as session:
        units = await summary.refresh(session, today=TODAY)
        await session.commit()
    return units


async def measure(sessionmaker: SessionMaker, runs: int, label: str) -> dict[str, Any]:
    """`runs` rounds of: the overview, the bare aggregate, the risk aggregate, the chart —
    interleaved, so each round's ratios compare figures taken under the same load."""

    async def count() -> Any:
        async with sessionmaker() as session:
            return await overview(session, Scope.district(), today=TODAY)

    # Straight after the bulk load every unit is logged: the overview counts them all, as it
    # did before `unit_figures`; then the refresh job's run keeps them.
    cold_started = time.perf_counter()
    ov = await count()
    cold = time.perf_counter() - cold_started
    refresh_started = time.perf_counter()
    refreshed = await refresh(sessionmaker)
    full_refresh = time.perf_counter() - refresh_started
    assert await count() == ov  # the kept figures are the counted ones
    await bare_aggregate(sessionmaker)  # warm both before timing
    render_chart(ov, None, "zh")
    async with sessionmaker() as session:
        post_ids = list(await session.scalars(select(Post.id).order_by(Post.id)))
    rng = random.Random(7)

    async def after_writes() -> None:
        """Records of `WRITTEN_UNITS` units' posts written (values unchanged), not yet
        refreshed: those units are counted live."""
        async with sessionmaker() as session:
            chosen = rng.sample(post_ids, WRITTEN_UNITS)
            await session.execute(
                update(Post).where(Post.id.in_(chosen)).values(is_leadership=Post.is_leadership)
            )
            await session.commit()
        started = time.perf_counter()
        await count()
        times["logged"].append(time.perf_counter() - started)
        started = time.perf_counter()
        await refresh(sessionmaker)
        times["refresh"].append(time.perf_counter() - started)

    async def chart() -> None:
        render_chart(ov, None, "zh")

    names = ("overview", "aggregate", "risk", "chart", "logged", "refresh")
    times: dict[str, list[float]] = {name: [] for name in names}
    loads: list[float] = []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        for name, work in (
            ("overview", count),
            ("aggregate", lambda: bare_aggregate(sessionmaker)),
            ("risk", lambda: risk_aggregate(sessionmaker)),
            ("chart", chart),
        ):
            times[name] += await timed(1, work)
        await after_writes()
    ratios = [o / a for o, a in zip(times["overview"], times["aggregate"], strict=True)]
    logged_ratios = [o / a for o, a in zip(times["logged"], times["aggregate"], strict=True)]
    risk_ratios = [o / r for o, r in zip(times["overview"], times["risk"], strict=True)]
    chart_ratios = [c / a for c, a in zip(times["chart"], times["aggregate"], strict=True)]
    figures = ov.total
    print(
        f"  {label}: {len(ov.units)} units, {figures.powers} powers, {figures.risks} risk points "
        f"({figures.risks_level1}/{figures.risks_level2}/{figures.risks_level3}), "
        f"{figures.measures} measures; {runs} rounds, load {min(loads):.1f}–{max(loads):.1f}"
    )
    print(f"    overview          {spread(times['overview'])}")
    print(f"    bare aggregate    {spread(times['aggregate'])}  (every table, one statement)")
    print(f"    risk aggregate    {spread(times['risk'])}  (risk points by unit and level)")
    print(f"    chart             {spread(times['chart'])}")
    print(
        f"    overview, {WRITTEN_UNITS} units written since the refresh {spread(times['logged'])};"
        f" their refresh {spread(times['refresh'])}"
    )
    print(
        f"    every unit logged (after the bulk load): overview {cold:.3f} s, then the refresh"
        f" of {refreshed} units {full_refresh:.3f} s"
    )

    def three(values: list[float]) -> str:
        return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}×"

    print(
        f"    per round, min / median / max: overview ÷ bare aggregate {three(ratios)}  "
        f"(÷ risk aggregate {three(risk_ratios)})   chart ÷ bare aggregate {three(chart_ratios)}"
    )
    print(
        f"    per round: overview with {WRITTEN_UNITS} units logged ÷ bare aggregate "
        f"{three(logged_ratios)}"
    )
    median = statistics.median
    return {
        "overview_s": median(times["overview"]),
        "overview_min_max_s": (min(times["overview"]), max(times["overview"])),
        "aggregate_s": median(times["aggregate"]),
        "risk_aggregate_s": median(times["risk"]),
        "chart_s": median(times["chart"]),
        "ratio": median(ratios),
        "ratio_min_max": (min(ratios), max(ratios)),
        "logged_s": median(times["logged"]),
        "logged_ratio": median(logged_ratios),
        "logged_ratio_min_max": (min(logged_ratios), max(logged_ratios)),
        "refresh_s": median(times["refresh"]),
        "cold_s": cold,
        "full_refresh_s": full_refresh,
        "risk_ratio": median(risk_ratios),
        "chart_ratio": median(chart_ratios),
        "load": (min(loads), max(loads)),
    }


async def digest_run(
    engine: AsyncEngine, sessionmaker: SessionMaker, leaders: int, charts: bool
) -> dict[str, float]:
    """Subscribe `leaders` leaders weekly at 9:00 and run the scan once, counting queries.

    Each leader of a different unit has a chart of their own (~0.2–0.5 s of matplotlib each):
    without `charts` one pre-drawn PNG stands in, so the run times the counting and queueing,
    and the chart's own cost is the "chart" line measured above."""
    settings = bench_settings()
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(Person.id)
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .where(RoleAssignment.role == "leader", Person.telegram_id.is_not(None))
                .order_by(Person.id)
                .limit(leaders)
            )
        )
        since = MONDAY - timedelta(days=3)
        await session.execute(
            insert(DigestSubscription),
            [
                {
                    "person_id": pid,
                    "frequency": "weekly",
                    "hour": 9,
                    "state": "active",
                    "since": since,
                    "created_at": since,
                    "updated_at": since,
                }
                for pid in ids
            ],
        )
        await session.commit()
    clock_now = MONDAY
    if not charts:
        stand_in = b"\x89PNG stand-in"
        digests.render_chart = lambda ov, unit_id, locale: stand_in + str(ov.roots).encode()
    started = time.perf_counter()
    with counting(engine) as statements:
        async with sessionmaker() as session:
            from bot.domain.clock import FakeClock

            result = await send_due_digests(
                session, now=clock_now, clock=FakeClock(clock_now), settings=settings
            )
            await session.commit()
    elapsed = time.perf_counter() - started
    per_digest = len(statements) / max(result.queued, 1)
    print(
        f"  digest run: {result.due} leaders due, {result.queued} digests queued, "
        f"{result.charts} charts, {len(statements)} queries ({per_digest:.3f} per digest), "
        f"{elapsed:.1f} s ({load_average()})"
    )
    return {"queries": len(statements), "per_digest": per_digest, "seconds": elapsed}


async def analyze(engine: AsyncEngine) -> None:
    """Planner statistics after a bulk load, as a live database has them: on PostgreSQL
    VACUUM ANALYZE, what autovacuum runs a while after inserts (the visibility map lets the
    overview's covering indexes be read without the tables); SQLite never does on its own."""
    statement = "ANALYZE"
    if engine.dialect.name == "postgresql":  # this schema's tables only (search_path)
        statement = "VACUUM ANALYZE " + ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        await conn.execute(text(statement))


async def backend_run(
    backend: str, folder: Path, scale: int, leaders: int, runs: int, charts: bool
) -> dict[str, Any]:
    print(f"{backend}: ({load_average()})")
    out: dict[str, Any] = {}
    async with database(backend, "district", folder) as engine:
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session:
            await generate(session, scale=1, today=TODAY)
            await session.commit()
        await analyze(engine)
        out["district"] = await measure(sessionmaker, runs, "district (the seed)")
    async with database(backend, "province", folder) as engine:
        sessionmaker = make_sessionmaker(engine)
        started = time.perf_counter()
        async with sessionmaker() as session:
            report = await generate(session, scale=scale, today=TODAY)
            await session.commit()
        await analyze(engine)
        print(
            f"  province generated: {report.units} units, {report.risks} risk points, "
            f"{report.measures} measures in {time.perf_counter() - started:.1f} s"
        )
        out["province"] = await measure(sessionmaker, runs, f"province ({scale} districts)")
        out["digest"] = await digest_run(engine, sessionmaker, leaders, charts)
    return out


async def postgres_reachable() -> bool:
    engine = make_engine(POSTGRES_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception as error:  # no server: the SQLite figures still stand
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
        return False
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    freeze_startup_heap()  # as `python -m bot run` does once it is ready to serve
    cjk_font()
    results: dict[str, Any] = {}
    backends = ["sqlite"]
    if not args.no_postgres and await postgres_reachable():
        backends.append("postgres")
    with temp_folder() as tmp:
        for backend in backends:
            results[backend] = await backend_run(
                backend, Path(tmp), args.scale, args.leaders, args.runs, args.digest_charts
            )
    worst = max(backends, key=lambda b: results[b]["province"]["overview_s"])
    summary = {
        "province_overview_s": round(results[worst]["province"]["overview_s"], 4),
        "overview_ratio_to_aggregate": round(
            max(results[b]["province"]["ratio"] for b in backends), 2
        ),
        "province_chart_s": round(max(results[b]["province"]["chart_s"] for b in backends), 4),
        "queries_per_digest": round(max(results[b]["digest"]["per_digest"] for b in backends), 4),
        "load_average": round(os.getloadavg()[0], 2),
    }
    for backend in backends:
        r = results[backend]
        province = r["province"]
        summary[backend] = {
            "province_overview_min_max_s": [round(t, 4) for t in province["overview_min_max_s"]],
            "overview_ratio_min_max": [round(t, 2) for t in province["ratio_min_max"]],
            "province_load_min_max": [round(t, 2) for t in province["load"]],
            "district_overview_ratio_to_aggregate": round(r["district"]["ratio"], 2),
            "district_overview_s": round(r["district"]["overview_s"], 4),
            "district_chart_s": round(r["district"]["chart_s"], 4),
            "province_overview_s": round(r["province"]["overview_s"], 4),
            "province_aggregate_s": round(r["province"]["aggregate_s"], 4),
            "overview_ratio_to_aggregate": round(r["province"]["ratio"], 2),
            "province_overview_logged_s": round(province["logged_s"], 4),
            "overview_logged_ratio_min_max": [
                round(t, 2) for t in province["logged_ratio_min_max"]
            ],
            "province_refresh_s": round(province["refresh_s"], 4),
            "province_cold_overview_s": round(province["cold_s"], 4),
            "province_full_refresh_s": round(province["full_refresh_s"], 4),
            "overview_ratio_to_risk_aggregate": round(r["province"]["risk_ratio"], 2),
            "chart_ratio_to_aggregate": round(r["province"]["chart_ratio"], 2),
            "province_chart_s": round(r["province"]["chart_s"], 4),
            "digest_queries": r["digest"]["queries"],
            "digest_run_s": round(r["digest"]["seconds"], 1),
        }
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100, help="districts in the province")
    parser.add_argument("--leaders", type=int, default=1000, help="subscribed leaders")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--digest-charts", action="store_true", help="draw every digest's chart (slow)"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False))
