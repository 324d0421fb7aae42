"""The SQLite writer queue: a long queue that moves waits its turn; only a stuck holder is
gone around."""

from __future__ import annotations

import asyncio

import pytest

from storage import sqlite_writer
from storage.sqlite_writer import WriterQueue


async def test_a_queue_longer_than_the_limit_keeps_every_writer_in_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each writer holds the lock for a fifth of the limit: the last of 20 waits four limits.
    monkeypatch.setattr(sqlite_writer, "HOLD_LIMIT_SECONDS", 0.05)
    queue = WriterQueue()
    order: list[int] = []
    held_by_each: list[bool] = []

    async def writer(number: int) -> None:
        lock = await queue.acquire()
        held_by_each.append(lock is not None)
        order.append(number)
        await asyncio.sleep(0.01)
        if lock is not None:
            queue.release(lock)

    tasks = []
    for number in range(20):
        tasks.append(asyncio.create_task(writer(number)))
        await asyncio.sleep(0)  # each one queues in turn
    await asyncio.gather(*tasks)

    assert held_by_each == [True] * 20  # none went ahead without the lock
    assert order == list(range(20))  # first come, first served


async def test_a_holder_past_the_limit_is_gone_around(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writer, "HOLD_LIMIT_SECONDS", 0.05)
    queue = WriterQueue()
    stuck = await queue.acquire()
    assert stuck is not None

    assert await queue.acquire() is None  # from the same task: a second connection
    assert await asyncio.create_task(queue.acquire()) is None  # went ahead

    queue.release(stuck)
    again = await asyncio.create_task(queue.acquire())
    assert again is not None
    queue.release(again)


async def test_a_writer_cancelled_while_queued_leaves_no_lock_behind() -> None:
    queue = WriterQueue()
    first = await queue.acquire()
    assert first is not None
    waiting = asyncio.create_task(queue.acquire())
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    queue.release(first)

    after = await asyncio.wait_for(asyncio.create_task(queue.acquire()), 5)
    assert after is not None
    queue.release(after)
