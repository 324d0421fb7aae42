"""The deployment-wide pace: two pacers (two replicas) sharing the limits in Redis.

Runs against TEST_REDIS_URL (CI sets it); skipped only when it is not set. Each test uses its
own key prefix, so parallel runs never share a budget."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.app.pacing import Limits, Pacer
from bot.app.pacing_shared import SharedBudget, SharedPacer, make_pacer
from bot.settings import Settings
from tests.delivery.test_pacing import max_in_window

REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")

RATE = 20  # all chats, a second: low, to keep the test short
LIMITS = Limits(global_rate=RATE, chat_rate=1.0, chat_burst=1.0, group_per_minute=3, margin=0.1)


@pytest.fixture
async def redis() -> AsyncIterator[object]:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL or "")
    prefix = f"qf_test_{uuid.uuid4().hex}"
    client.qf_prefix = prefix  # type: ignore[attr-defined]
    yield client
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def budget(redis: object) -> SharedBudget:
    return SharedBudget(redis, LIMITS, redis.qf_prefix)  # type: ignore[attr-defined]


def test_without_redis_the_pace_is_the_process_own(settings: Settings) -> None:
    pacer = make_pacer(settings)
    assert type(pacer) is Pacer


@needs_redis
async def test_two_replicas_together_keep_one_global_limit(redis: object) -> None:
    replicas = [SharedPacer(budget(redis)), SharedPacer(budget(redis))]
    sent: list[float] = []

    async def send(pacer: Pacer, chat: int) -> None:
        await pacer.acquire(chat, bulk=chat % 2 == 0)
        sent.append(time.time())

    # 2 x 30 sends to 60 different chats, 3 seconds' worth of the limit.
    await asyncio.gather(
        *(send(replicas[i % 2], 1000 + i) for i in range(3 * RATE)),
    )
    assert len(sent) == 3 * RATE
    # Each replica alone would have let RATE through in the first second; together, still RATE.
    assert max_in_window(sorted(sent), 1.0) <= RATE


@needs_redis
async def test_bulk_leaves_the_reserve_to_replies(redis: object) -> None:
    shared = budget(redis)
    reserve = 3
    for chat in range(RATE - reserve):
        assert (await shared.take(100 + chat, keep=reserve))[0] == "ok"
    verdict, wait = await shared.take(200, keep=reserve)
    assert verdict == "global" and 0 < wait <= 1.1
    # A reply (keep 0) still finds room, from the other replica too.
    assert (await budget(redis).take(300, keep=0))[0] == "ok"


@needs_redis
async def test_a_chat_limit_refuses_without_spending_the_global_budget(redis: object) -> None:
    shared = budget(redis)
    assert (await shared.take(7, keep=0))[0] == "ok"
    verdict, wait = await budget(redis).take(7, keep=0)  # the other replica, same chat
    assert verdict == "chat" and 0.5 < wait <= 1.2
    for group_send in range(3):
        assert (await shared.take(-100, keep=0))[0] == "ok", group_send
    assert (await shared.take(-100, keep=0))[0] == "chat"  # 3 a minute in this group
    prefix = redis.qf_prefix  # type: ignore[attr-defined]
    assert await redis.zcard(f"{prefix}:pace:global") == 4  # type: ignore[attr-defined]


@needs_redis
async def test_a_429_pauses_every_replica(redis: object) -> None:
    first, second = SharedPacer(budget(redis)), SharedPacer(budget(redis))
    # No other send to the chat lately: the 429 can only be the global limit's.
    assert first.on_retry_after(42, 5) == "global"
    await asyncio.gather(*first._pauses)
    verdict, wait = await second.shared.take(43, keep=0)
    assert verdict == "global" and 4 < wait <= 5
    # A chat with another send just before: its own limit; other chats go on.
    prefix = f"{redis.qf_prefix}:other"  # type: ignore[attr-defined]
    third = SharedPacer(SharedBudget(redis, LIMITS, prefix))
    chat = 1234
    assert (await third.shared.take(chat, keep=0))[0] == "ok"
    await asyncio.sleep(1.2)  # the chat's one token is back (1.1 s with the margin)
    assert (await third.shared.take(chat, keep=0))[0] == "ok"  # the refused send, charged
    assert await third.shared.pause(chat, 30) == "chat"
    assert (await third.shared.take(chat, keep=0))[0] == "chat"
    assert (await third.shared.take(chat + 1, keep=0))[0] == "ok"
