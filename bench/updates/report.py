"""One run of one target measured, and the runs summed up (min/median/max, beside the echo)."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench import SANDBOX_PIDS, TOKEN, percentile
from bench.updates.driver import NO_ANSWER, STEPS, Driver, Sample, wait_first_answer
from bench.updates.processes import Target, cpu_seconds

ALONE_ROUNDS = 3
# The webhook targets' names (PostgreSQL, behind the sandbox's round-robin delivery).
ONE_REPLICA = "postgresql-webhook-1"
TWO_REPLICAS = "postgresql-webhook-2"
PLAIN_COMMANDS = ("start", "help", "risks")


@dataclass
class RunFigures:
    name: str
    load: tuple[float, float, float]
    startup_s: float
    rss_mb: float
    # Each kind alone: end-to-end ms, the bot's own ms, SQL statements, connections.
    alone: dict[str, dict[str, float]] = field(default_factory=dict)
    # At the fixed rate: end-to-end p50/p95 per kind, the bot's processing p50/p95.
    fixed: dict[str, dict[str, float]] = field(default_factory=dict)
    fixed_rate_achieved: float = 0.0
    fixed_slip_s: float = 0.0
    processing_p50_ms: float | None = None
    processing_p95_ms: float | None = None
    cpu_ms_per_update: float = 0.0
    closed_updates_per_s: float = 0.0
    closed_p95_ms: float = 0.0
    failed: int = 0
    # The failed steps by phase, kind and reason ("fixed page: no answer": 3): the bot's
    # failure text told apart from a step never answered.
    failures: dict[str, int] = field(default_factory=dict)
    # Seconds each phase took, after its last step was offered, to answer all it was sent.
    fixed_drain_s: float = 0.0
    closed_drain_s: float = 0.0
    errors_logged: int = 0
    # In the closed loop: each bot process's CPU (cores busy, 1 = one core), the sandbox's,
    # this driver's, and the whole machine's (all processes, every helper's too).
    closed_cpu: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        processing = (
            f"processing p95 {self.processing_p95_ms:.1f} ms, "
            if self.processing_p95_ms is not None
            else ""
        )
        return (
            f"start-up {self.startup_s:.2f}s, RSS {self.rss_mb:.0f} MB, "
            f"at {self.fixed_rate_achieved:.0f}/s: e2e p95 "
            f"{max((f['p95_ms'] for f in self.fixed.values()), default=0):.1f} ms, {processing}"
            f"CPU {self.cpu_ms_per_update:.2f} ms/update; closed loop "
            f"{self.closed_updates_per_s:.0f}/s p95 {self.closed_p95_ms:.0f} ms; "
            f"drained in {self.fixed_drain_s:.1f} / {self.closed_drain_s:.1f} s; "
            f"failed {self.failed} {self.failures or ''}; load {self.load[0]:.2f}"
        )


def _failures(**phases: list[Sample]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for phase, samples in phases.items():
        for sample in samples:
            if not sample.ok:
                counts[f"{phase} {sample.kind}: {sample.reason}"] += 1
    return dict(counts)


def _updates(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("msg") == "update"]


def _by_kind(samples: list[Sample]) -> dict[str, dict[str, float]]:
    kinds: dict[str, list[float]] = defaultdict(list)
    for sample in samples:
        kinds[sample.kind].append(sample.seconds * 1000)
    return {
        kind: {
            "n": len(values),
            "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
        }
        for kind, values in sorted(kinds.items())
    }


async def _alone(target: Target, driver: Driver) -> dict[str, dict[str, float]]:
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    persona = driver.personas[0]
    for _ in range(ALONE_ROUNDS):
        for kind in STEPS:
            sample = await driver.step(persona, kind)
            logged = []
            for _wait in range(50):  # the log line follows the answer
                await asyncio.sleep(0.1)
                logged = _updates(target.new_log_entries())
                if logged or not target.logs_updates:
                    break
            row = {"e2e_ms": sample.seconds * 1000}
            if logged:
                row["bot_ms"] = sum(float(e.get("ms", 0)) for e in logged)
                row["statements"] = sum(float(e.get("sql", 0)) for e in logged)
                row["connections"] = sum(float(e.get("conns", 0)) for e in logged)
            rows[kind].append(row)
    return {
        kind: {
            name: round(statistics.median(r[name] for r in values), 2)
            for name in values[-1]
            if all(name in r for r in values)
        }
        for kind, values in rows.items()
    }


async def measure_run(
    target: Target,
    driver: Driver,
    http: aiohttp.ClientSession,
    api: str,
    args: argparse.Namespace,
) -> RunFigures:
    load = os.getloadavg()
    spawned = time.monotonic()
    await target.start(http, api)
    try:
        startup = await wait_first_answer(http, api, spawned)
        await asyncio.sleep(1.0)
        figures = RunFigures(target.name, load, round(startup, 2), round(target.rss_mb(), 1))
        target.new_log_entries()
        figures.alone = await _alone(target, driver)

        cpu = target.cpu_seconds()
        began = time.monotonic()
        phase = await driver.fixed_rate(args.rate, args.seconds)
        fixed = phase.samples
        elapsed = time.monotonic() - began
        figures.cpu_ms_per_update = round(
            (target.cpu_seconds() - cpu) * 1000 / max(1, len(fixed)), 2
        )
        figures.fixed = _by_kind(fixed)
        figures.fixed_rate_achieved = round(len(fixed) / elapsed, 1)
        figures.fixed_slip_s = round(phase.slip_s, 2)
        figures.fixed_drain_s = round(phase.drain_s, 2)
        logged = _updates(target.new_log_entries())
        if logged:
            times = [float(e.get("ms", 0)) for e in logged]
            figures.processing_p50_ms = round(percentile(times, 0.5), 2)
            figures.processing_p95_ms = round(percentile(times, 0.95), 2)
            figures.errors_logged += sum(1 for e in logged if e.get("outcome") == "error")

        gauge = CpuGauge(target, api)
        began = time.monotonic()
        phase = await driver.closed_loop(args.seconds)
        closed = phase.samples
        elapsed = time.monotonic() - began
        figures.closed_drain_s = round(phase.drain_s, 2)
        figures.closed_cpu = gauge.read(elapsed)
        figures.closed_updates_per_s = round(len(closed) / elapsed, 1)
        figures.closed_p95_ms = round(percentile([s.seconds * 1000 for s in closed], 0.95), 1)
        figures.failed = sum(1 for s in fixed + closed if not s.ok)
        figures.failures = _failures(fixed=fixed, closed=closed)
        figures.errors_logged += sum(
            1 for e in _updates(target.new_log_entries()) if e.get("outcome") == "error"
        )
    finally:
        await target.stop(http, api, TOKEN)
    return figures


class CpuGauge:
    """CPU used from its creation to `read()`: per bot process, the sandbox, this driver, and
    the machine (from /proc/stat: how many of its cores were busy, whoever used them)."""

    def __init__(self, target: Target, api: str) -> None:
        self.target = target
        self.sandbox = SANDBOX_PIDS.get(api)
        self.bots = target.cpu_by_process()
        self.sandbox_cpu = cpu_seconds(self.sandbox) if self.sandbox else 0.0
        self.driver = time.process_time()
        self.machine = _machine_busy()

    def read(self, elapsed: float) -> dict[str, Any]:
        bots = [b - a for a, b in zip(self.bots, self.target.cpu_by_process(), strict=True)]
        before, after = self.machine, _machine_busy()
        busy, total = after[0] - before[0], after[1] - before[1]
        sandbox = cpu_seconds(self.sandbox) - self.sandbox_cpu if self.sandbox else 0.0
        return {
            "bots": [round(b / elapsed, 2) for b in bots],
            "sandbox": round(sandbox / elapsed, 2),
            "driver": round((time.process_time() - self.driver) / elapsed, 2),
            "machine_busy_cores": round(busy / total * (os.cpu_count() or 1), 2) if total else 0,
        }


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores so far, from /proc/stat's first line."""
    with open("/proc/stat") as stat:
        values = [float(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)  # idle + iowait
    return sum(values) - idle, sum(values)


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def print_summary(results: dict[str, list[RunFigures]], args: argparse.Namespace) -> None:
    print()
    print(
        f"{args.personas} personas, fixed rate {args.rate:g}/s and closed loop, "
        f"{args.seconds:g}s each, {args.runs} runs (min / median / max)"
    )
    for name, runs in results.items():
        print(f"\n{name}  (load average at start of runs: {[r.load[0] for r in runs]})")
        print(f"  start-up to first answer      {_spread([r.startup_s for r in runs])} s")
        print(f"  idle RSS                      {_spread([r.rss_mb for r in runs])} MB")
        for kind in STEPS:
            alone = [r.alone.get(kind, {}) for r in runs]
            fixed = [r.fixed.get(kind, {}) for r in runs]
            sql = [a["statements"] for a in alone if "statements" in a]
            conns = [a["connections"] for a in alone if "connections" in a]
            bot_ms = [a["bot_ms"] for a in alone if "bot_ms" in a]
            print(
                f"  {kind:6}  alone: e2e {_spread([a.get('e2e_ms', 0) for a in alone])} ms"
                + (f", bot {_spread(bot_ms)} ms" if bot_ms else "")
                + (f", {_spread(sql)} statements, {_spread(conns)} connections" if sql else "")
                + f"; at rate: p50 {_spread([f.get('p50_ms', 0) for f in fixed])}"
                f" p95 {_spread([f.get('p95_ms', 0) for f in fixed])} ms"
            )
        processing = [r.processing_p95_ms for r in runs if r.processing_p95_ms is not None]
        if processing:
            print(f"  processing p95 at rate        {_spread(processing)} ms (bot's own)")
        print(
            f"  rate achieved                 {_spread([r.fixed_rate_achieved for r in runs])} /s"
        )
        print(f"  CPU per update                {_spread([r.cpu_ms_per_update for r in runs])} ms")
        print(
            f"  closed loop throughput        {_spread([r.closed_updates_per_s for r in runs])} /s"
        )
        print(f"  closed loop p95               {_spread([r.closed_p95_ms for r in runs])} ms")
        print(f"  closed loop CPU (cores)       {[r.closed_cpu for r in runs]}")
        print(
            f"  backlog drained in            fixed {_spread([r.fixed_drain_s for r in runs])}"
            f" s, closed loop {_spread([r.closed_drain_s for r in runs])} s"
        )
        print(f"  failed updates                {[r.failed for r in runs]}")
        for number, r in enumerate(runs, 1):
            if r.failures:
                print(f"    run {number}: {r.failures}")


def _target_json(runs: list[RunFigures], echo: list[RunFigures]) -> dict[str, Any]:
    echo_rate = _median([r.closed_updates_per_s for r in echo]) or 1.0
    echo_startup = _median([r.startup_s for r in echo]) or 1.0
    rate = _median([r.closed_updates_per_s for r in runs])
    statements = [
        max(r.alone.get(k, {}).get("statements", 0) for k in PLAIN_COMMANDS) for r in runs
    ]
    connections = [
        max(r.alone.get(k, {}).get("connections", 0) for k in PLAIN_COMMANDS) for r in runs
    ]
    processing = [r.processing_p95_ms for r in runs if r.processing_p95_ms is not None]
    e2e = [max((f["p95_ms"] for f in r.fixed.values()), default=0) for r in runs]
    return {
        "p95_ms": _median(processing),
        "p95_end_to_end_ms": _median(e2e),
        "rate_achieved_per_s": _median([r.fixed_rate_achieved for r in runs]),
        "updates_per_s": rate,
        "ratio_to_echo": round(rate / echo_rate, 3),
        "failed_updates": sum(r.failed for r in runs),
        "unanswered_updates": sum(
            n for r in runs for key, n in r.failures.items() if key.endswith(NO_ANSWER)
        ),
        "drain_s": _median([r.fixed_drain_s for r in runs]),
        "errors_logged": sum(r.errors_logged for r in runs),
        "statements_per_command": _median(statements),
        "connections_per_command": _median(connections),
        "statements_by_kind": {
            k: _median([r.alone.get(k, {}).get("statements", 0) for r in runs]) for k in STEPS
        },
        "cpu_ms_per_update": _median([r.cpu_ms_per_update for r in runs]),
        "startup_s": _median([r.startup_s for r in runs]),
        "startup_ratio": round(_median([r.startup_s for r in runs]) / echo_startup, 2),
        "rss_mb": _median([r.rss_mb for r in runs]),
        "closed_cpu": [r.closed_cpu for r in runs],
    }


def summary_json(results: dict[str, list[RunFigures]], args: argparse.Namespace) -> dict[str, Any]:
    echo = results["echo"]
    targets = {name: _target_json(runs, echo) for name, runs in results.items() if name != "echo"}
    main = targets.get("sqlite") or next(iter(targets.values()), {})
    return {
        **main,
        "failed_updates": sum(t["failed_updates"] for t in targets.values()),
        "personas": args.personas,
        "rate": args.rate,
        "runs": args.runs,
        "echo": {
            "updates_per_s": _median([r.closed_updates_per_s for r in echo]),
            "cpu_ms_per_update": _median([r.cpu_ms_per_update for r in echo]),
            "startup_s": _median([r.startup_s for r in echo]),
            "rss_mb": _median([r.rss_mb for r in echo]),
            "p95_end_to_end_ms": _median(
                [max((f["p95_ms"] for f in r.fixed.values()), default=0) for r in echo]
            ),
        },
        "targets": targets,
        **_replicas_json(results),
        "load_average": list(os.getloadavg()),
    }


def _replicas_json(results: dict[str, list[RunFigures]]) -> dict[str, Any]:
    """Two webhook replicas against one (closed-loop updates a second): the ratio of the
    medians, and each run's ratio against the one-replica run just before it (same load)."""
    one, two = results.get(ONE_REPLICA), results.get(TWO_REPLICAS)
    if not one or not two:
        return {}
    median_one = _median([r.closed_updates_per_s for r in one]) or 1.0
    per_run = [
        round(b.closed_updates_per_s / a.closed_updates_per_s, 3)
        for a, b in zip(one, two, strict=False)
        if a.closed_updates_per_s
    ]
    ratio = _median([r.closed_updates_per_s for r in two]) / median_one
    return {
        "two_replicas_ratio": round(ratio, 3),
        "two_replicas_ratio_runs": per_run,
        "two_replicas_ratio_min_median_max": [min(per_run), _median(per_run), max(per_run)]
        if per_run
        else [],
    }
