"""/metrics after one update, two sends (one sent, one 429) and two scheduled jobs."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import metrics
from bot.app.health import Readiness
from bot.app.metrics import instrument_job
from bot.app.runners import create_side_app
from bot.app.wiring import create_dispatcher
from bot.delivery.outbox import PRIORITY_BULK
from bot.domain.due import Every
from bot.scheduling.runner import JobContext, JobRunner, PeriodicJob
from tests.delivery.conftest import Harness
from tests.delivery.test_sender import put
from tests.kit.mocked_bot import MockedBot, message_update, user

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(engine: AsyncEngine) -> Samples:
    async with TestClient(TestServer(create_side_app(Readiness(engine=engine)))) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_updates_sends_jobs_and_read_the_outbox(
    harness: Harness, engine: AsyncEngine
) -> None:
    h = harness
    # The process-wide gauge as a fresh process has it: an earlier test's leadership in this
    # worker may have stepped down and left it at 0.
    metrics.LEADER.set(1)
    before = await scrape(engine)
    start_handler = "handlers.common.start.start"
    ok = {"type": "message", "handler": start_handler, "outcome": "ok"}

    # One update through the real dispatcher (its log middleware reports to the metrics).
    dp = create_dispatcher(h.settings, h.sessionmaker, clock=h.clock)
    await dp.feed_update(MockedBot(), message_update(user(9701), "/start"))

    # Sends: one sent; one 429 (the chat is stricter than our budget); one fails for good.
    h.retune(delivery_chat_burst=1)
    h.world.flood_config.enabled = True
    h.world.flood_config.private_burst = 1
    h.world.flood_config.private_per_second = 0.25
    a, b = h.personas(2)
    await put(h, a, "1")
    await put(h, a, "2")
    await put(h, b, "later", priority=PRIORITY_BULK, not_before=h.clock.now() + timedelta(1))
    await h.sender().drain()

    # One scheduled job that runs, one that fails.
    async def fine(_: JobContext) -> None:
        return None

    async def broken(_: JobContext) -> None:
        raise RuntimeError("boom")

    every = Every(timedelta(minutes=1))
    jobs = [
        instrument_job(PeriodicJob("metrics_fine", every, fine)),
        instrument_job(PeriodicJob("metrics_broken", every, broken)),
    ]
    await JobRunner(jobs, h.sessionmaker, h.clock, h.settings).tick()

    after = await scrape(engine)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("qingfeng_updates_total", **ok) == 1
    assert delta("qingfeng_update_seconds_count", type="message") == 1
    assert delta("qingfeng_messages_total", result="sent") == 1
    assert delta("qingfeng_messages_total", result="throttled") == 1
    assert delta("qingfeng_job_runs_total", job="metrics_fine", outcome="ok") == 1
    assert delta("qingfeng_job_runs_total", job="metrics_broken", outcome="error") == 1
    assert delta("qingfeng_job_seconds_count", job="metrics_fine") == 1
    assert delta("qingfeng_errors_total", where="job") == 1
    assert value(after, "qingfeng_leader") == 1
    assert value(after, "qingfeng_outbox_scrape_ok") == 1
    # The 429'd row and the later one are pending; the first is sent.
    assert value(after, "qingfeng_outbox_rows", priority="100", status="sent") >= 1
    pending = sum(
        v
        for (name, labels), v in after.items()
        if name == "qingfeng_outbox_rows" and ("status", "pending") in labels
    )
    assert pending == 2
    assert value(after, "qingfeng_outbox_oldest_pending_seconds") >= 0
