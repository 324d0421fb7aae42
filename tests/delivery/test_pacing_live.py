"""Pacing over real HTTP and real time, measured from the sandbox's log of arrivals.

The sandbox enforces the same limits as our budget, so "no 429" is the main check; the arrival
log is checked too, with bounds loose enough for a busy machine but far below an unpaced burst.
"""

from __future__ import annotations

import asyncio
import time

from bot.delivery.outbox import PRIORITY_BULK, batch_progress, enqueue
from bot.sandbox import CHANNEL_ID
from tests.delivery.conftest import Harness
from tests.delivery.test_pacing import max_in_window

RATE = 100  # messages a second, all chats: high, to keep the test short


async def broadcast(h: Harness, chats: list[int], batch: str) -> None:
    async with h.sessionmaker() as session, session.begin():
        for i, chat in enumerate(chats):
            await enqueue(
                session,
                chat_id=chat,
                text=f"{batch} {i}",
                kind="broadcast",
                priority=PRIORITY_BULK,
                batch_id=batch,
                settings=h.settings,
                clock=h.clock,
            )


async def wait_until_done(h: Harness, batch: str, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while True:
            async with h.sessionmaker() as session:
                progress = await batch_progress(session, batch)
            if progress.pending == 0:
                assert progress.sent == progress.total
                return
            await asyncio.sleep(0.1)


def enable_flood(h: Harness, rate: float) -> None:
    config = h.world.flood_config
    config.enabled = True
    config.global_per_second = rate
    h.world.flood.reset()
    h.retune(delivery_global_rate=rate, delivery_chat_burst=config.private_burst)


async def test_hundreds_of_messages_stay_within_the_limits(live_harness: Harness) -> None:
    h = live_harness
    enable_flood(h, RATE)
    h.world.add_persona("channel owner")  # (the channel exists already)
    chats = h.personas(140)
    # 40 chats get 5 messages each (their own limit binds), 100 get one, the channel 15.
    targets = [c for c in chats[:40] for _ in range(5)] + chats[40:] + [CHANNEL_ID] * 15
    await broadcast(h, targets, "b1")
    sender = h.sender(delivery_concurrency=16)
    await sender.start()
    await wait_until_done(h, "b1")
    await sender.stop()

    assert h.world.counters.too_many_requests == 0
    assert h.middleware.throttled == 0
    log = h.world.deliveries
    assert len(log) == len(targets)
    everything = sorted(d["at"] for d in log)
    # Capacity (one second's worth) plus the rate, with slack for timing noise.
    assert max_in_window(everything, 1.0) <= 2 * RATE + 10
    assert max_in_window(everything, 2.0) <= 3 * RATE + 10
    for chat in chats[:40]:
        times = sorted(d["at"] for d in log if d["chat_id"] == chat)
        assert max_in_window(times, 1.0) <= 3 + 1 + 1  # burst, the rate, slack
        # A chat's messages arrive in the order they were enqueued.
        texts = [d["text"] for d in log if d["chat_id"] == chat]
        assert texts == sorted(texts, key=lambda t: int(t.split()[1]))


async def test_interactive_replies_pass_a_queued_broadcast(live_harness: Harness) -> None:
    h = live_harness
    enable_flood(h, 40)
    chats = h.personas(200)
    users = h.personas(5, first=900001)
    await broadcast(h, chats, "b2")
    sender = h.sender(delivery_concurrency=8)
    await sender.start()
    while len(h.world.deliveries) < 40:  # the broadcast is well under way
        await h.world.changes.wait(1)

    latencies = []
    for i, user in enumerate(users):
        started = time.monotonic()
        await h.bot.send_message(user, f"reply {i}")  # as a handler would: not via the outbox
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(0.3)
    await wait_until_done(h, "b2")
    await sender.stop()

    order = [d["chat_id"] for d in h.world.deliveries]
    last_reply = max(i for i, chat in enumerate(order) if chat in users)
    # The replies went out while much of the broadcast still waited its turn …
    assert len(order) - last_reply > 40
    # … and none of them queued behind it (a send behind 100+ bulk messages takes seconds).
    assert max(latencies) < 0.5, latencies
    assert h.world.counters.too_many_requests == 0
