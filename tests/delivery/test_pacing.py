"""Pacing (pure limiters and the async pacer in virtual time)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.pacing import Budget, Limits, Pacer, SlidingWindow, TokenBucket
from bot.sandbox.limits import FloodConfig, FloodLimiter
from tests.kit.clocks import ManualMonotonic

LIMITS = Limits(global_rate=30, chat_rate=1, chat_burst=3, group_per_minute=20)


def max_in_window(times: list[float], window: float, closed: bool = True) -> int:
    """The most events in any window of `window` seconds (closed: both ends included)."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] < t - window or (not closed and times[lo] <= t - window):
            lo += 1
        best = max(best, hi - lo + 1)
    return best


requests = st.lists(
    st.tuples(
        st.sampled_from([1, 2, 3, -100, -200]),  # three private chats, two groups
        st.floats(min_value=0, max_value=2, allow_nan=False),  # gap before the request
    ),
    min_size=1,
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(requests)
def test_a_greedy_sender_paced_by_the_budget_stays_within_every_limit(
    reqs: list[tuple[int, float]],
) -> None:
    now = 0.0
    budget = Budget(LIMITS, now)
    # The sandbox's model of Telegram, with the same limits, must never refuse.
    telegram = FloodLimiter(FloodConfig(enabled=True), clock=lambda: now)
    sent: dict[int, list[float]] = {}
    everything: list[float] = []
    for chat, gap in reqs:
        now += gap
        now += budget.wait_needed(chat, now)
        assert budget.wait_needed(chat, now) == 0
        budget.charge(chat, now)
        now += 1e-6  # it reaches Telegram a moment later
        assert telegram.check(chat) == 0
        sent.setdefault(chat, []).append(now)
        everything.append(now)
    for window in (0.5, 1.0, 5.0):
        assert max_in_window(everything, window) <= LIMITS.global_rate * (1 + window) + 1
    for chat, times in sent.items():
        if chat < 0:
            assert max_in_window(times, 60, closed=False) <= LIMITS.group_per_minute
        else:
            assert max_in_window(times, 10) <= LIMITS.chat_burst + 10 * LIMITS.chat_rate + 1


def test_token_bucket_leaves_what_was_asked() -> None:
    bucket = TokenBucket(rate=10, capacity=10, now=0)
    taken = 0
    while bucket.wait_needed(0, keep=3) == 0:
        bucket.take(0)
        taken += 1
    assert taken == 7
    assert bucket.wait_needed(0) == 0  # a reply still finds a token
    assert bucket.wait_needed(0, keep=3) == pytest.approx(0.1)


def test_sliding_window_waits_for_the_oldest_to_leave() -> None:
    window = SlidingWindow(limit=2, window=60)
    window.take(0)
    window.take(10)
    assert window.wait_needed(30) == 30
    assert window.wait_needed(60) == 0


def test_a_429_pauses_the_chat_when_it_was_busy_else_everything() -> None:
    budget = Budget(LIMITS, 0)
    budget.charge(1, 0)
    budget.charge(1, 0.5)
    assert budget.pause(1, 4, 0.5) == "chat"
    assert budget.chat_wait(1, 1) == pytest.approx(3.5)
    assert budget.global_wait(1) == 0
    budget.charge(2, 10)
    assert budget.pause(2, 4, 10) == "global"  # chat 2's first send: not its own limit
    assert budget.global_wait(11) == pytest.approx(3)


async def test_bulk_keeps_a_reserve_so_a_reply_goes_at_once() -> None:
    mono = ManualMonotonic()
    pacer = Pacer(LIMITS, interactive_reserve=3, clock=mono, sleep=mono.sleep)
    start = mono()
    sent = 0
    while mono() == start:  # bulk sends drain the bucket down to the reserve, then wait
        await pacer.acquire(1000 + sent, bulk=True)
        sent += 1
    assert 20 <= sent <= 27
    before = mono()
    await pacer.acquire(7, bulk=False)
    assert mono() == before  # … while a reply found its token at once


async def test_bulk_sends_wait_while_a_reply_is_starved() -> None:
    pacer = Pacer(Limits(global_rate=5, chat_burst=5), interactive_reserve=0)
    for chat in range(5):
        await pacer.acquire(chat, bulk=False)  # the bucket is empty
    order: list[str] = []

    async def send(name: str, chat: int, bulk: bool) -> None:
        await pacer.acquire(chat, bulk=bulk)
        order.append(name)

    bulk = [asyncio.create_task(send(f"bulk{i}", 100 + i, True)) for i in range(3)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(send("reply", 50, False))
    await asyncio.gather(reply, *bulk)
    assert order[0] == "reply"  # asked after the bulk sends, served before them
    assert order[1:] == ["bulk0", "bulk1", "bulk2"]  # bulk in the order asked
