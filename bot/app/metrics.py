"""Prometheus metrics (prometheus-client), served at `/metrics` beside the health checks.

Counters and histograms live in one registry of the process; the outbox's depth and the age of
its oldest pending row are read from the database at scrape time (with a short timeout: a
scrape never hangs on a slow database, it then reports `qingfeng_outbox_scrape_ok 0`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduling.runner import JobContext, PeriodicJob
from storage.models.outbox import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
SCRAPE_TIMEOUT = 2.0

UPDATES = Counter(
    "qingfeng_updates",
    "Updates handled, by type, handler and outcome (ok, unhandled, error)",
    ["type", "handler", "outcome"],
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "qingfeng_update_seconds",
    "Time to handle one update, by type",
    ["type"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "qingfeng_errors",
    "Exceptions, by where they happened (update, job)",
    ["where"],
    registry=REGISTRY,
)
MESSAGES = Counter(
    "qingfeng_messages",
    "Outbox sends, by result (sent, failed, throttled: a 429)",
    ["result"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "qingfeng_job_runs",
    "Scheduled job runs, by job and outcome (ok, error)",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "qingfeng_job_seconds",
    "Time one scheduled job took, by job",
    ["job"],
    registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
LEADER = Gauge(
    "qingfeng_leader",
    "1 when this replica leads (runs the sender and the scheduler), else 0",
    registry=REGISTRY,
)
LEADER.set(1)  # every replica leads until the leadership lease exists


def observe_update(update_type: str, handler: str, outcome: str, seconds: float) -> None:
    """What the update log middleware reports once per update."""
    UPDATES.labels(update_type, handler, outcome).inc()
    UPDATE_SECONDS.labels(update_type).observe(seconds)
    if outcome == "error":
        ERRORS.labels("update").inc()


def count_message(result: str) -> None:
    MESSAGES.labels(result).inc()


def instrument_job(job: PeriodicJob) -> PeriodicJob:
    """The same job, counted and timed."""
    run = job.run

    async def timed(context: JobContext) -> None:
        started = time.perf_counter()
        outcome = "error"
        try:
            await run(context)
            outcome = "ok"
        finally:
            JOB_RUNS.labels(job.name, outcome).inc()
            JOB_SECONDS.labels(job.name).observe(time.perf_counter() - started)
            if outcome == "error":
                ERRORS.labels("job").inc()

    return PeriodicJob(job.name, job.schedule, timed)


async def outbox_registry(
    engine: AsyncEngine, timeout: float = SCRAPE_TIMEOUT
) -> CollectorRegistry:
    """A registry of this scrape's outbox gauges, read from the database now."""
    registry = CollectorRegistry()
    depth = Gauge(
        "qingfeng_outbox_rows",
        "Outbox rows by priority and status",
        ["priority", "status"],
        registry=registry,
    )
    oldest = Gauge(
        "qingfeng_outbox_oldest_pending_seconds",
        "Age of the oldest pending outbox row (0 when none)",
        registry=registry,
    )
    scrape_ok = Gauge(
        "qingfeng_outbox_scrape_ok", "1 when the outbox could be read", registry=registry
    )

    async def read() -> tuple[list[tuple[int, str, int]], datetime | None]:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(OutboxMessage.priority, OutboxMessage.status, func.count()).group_by(
                    OutboxMessage.priority, OutboxMessage.status
                )
            )
            first = await conn.scalar(
                select(func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            )
            return [(p, str(s), n) for p, s, n in rows], first

    try:
        counts, first = await asyncio.wait_for(read(), timeout)
    except Exception:
        log.warning("metrics: the outbox could not be read", exc_info=True)
        scrape_ok.set(0)
        return registry
    for priority, status, count in counts:
        depth.labels(str(priority), status).set(count)
    if first is not None:
        if first.tzinfo is None:
            first = first.replace(tzinfo=UTC)
        oldest.set(max(0.0, (datetime.now(UTC) - first).total_seconds()))
    scrape_ok.set(1)
    return registry


def metrics_handler(
    engine: AsyncEngine | None,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest(REGISTRY)
        if engine is not None:
            body += generate_latest(await outbox_registry(engine))
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return metrics


def add_metrics_route(app: web.Application, engine: AsyncEngine | None) -> None:
    app.router.add_get("/metrics", metrics_handler(engine))
