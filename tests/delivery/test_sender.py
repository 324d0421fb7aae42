"""The sender against the sandbox's faults: 429, 5xx, dropped connections, 403, 400;
lease recovery, quiet hours and priorities. Monotonic time is virtual (see conftest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.delivery.outbox import PRIORITY_BULK, PRIORITY_PERSONAL, enqueue
from storage.models.org import Person
from storage.models.outbox import OutboxStatus
from tests.delivery.conftest import Harness


async def put(h: Harness, chat_id: int, text: str = "hello", **options: Any) -> int:
    async with h.sessionmaker() as session, session.begin():
        row_id = await enqueue(
            session,
            chat_id=chat_id,
            text=text,
            kind=options.pop("kind", "test"),
            settings=h.settings,
            clock=h.clock,
            **options,
        )
    assert row_id is not None
    return row_id


def arrivals(h: Harness) -> list[tuple[int, str]]:
    return [(d["chat_id"], d["text"]) for d in h.world.deliveries]


async def test_sends_due_rows_with_markup_and_records_message_ids(harness: Harness) -> None:
    h = harness
    a, b = h.personas(2)
    markup = {"inline_keyboard": [[{"text": "查看", "callback_data": "risk:7"}]]}
    ids = [
        await put(h, a, "<b>one</b>", reply_markup=markup),
        await put(h, a, "two"),
        await put(h, b, "three"),
    ]
    assert await h.sender().drain() == 3
    rows = [await h.row(i) for i in ids]
    assert [r.status for r in rows] == [OutboxStatus.SENT] * 3
    assert [r.telegram_message_id for r in rows] == [1, 2, 1]
    assert all(r.sent_at == h.clock.now() and r.lease_until is None for r in rows)
    assert [text for chat, text in arrivals(h) if chat == a] == ["one", "two"]  # in order
    assert (b, "three") in arrivals(h)
    first = h.world.chats[a].messages[1]
    assert first.data["reply_markup"] == markup
    assert h.middleware.throttled == 0


async def test_429_on_a_chat_requeues_after_retry_after_without_an_attempt(
    harness: Harness,
) -> None:
    h = harness
    h.retune(delivery_chat_burst=1)
    # Telegram turns out stricter than our configured budget for this chat.
    h.world.flood_config.enabled = True
    h.world.flood_config.private_burst = 1
    h.world.flood_config.private_per_second = 0.25
    (a,) = h.personas(1)
    first, second = await put(h, a, "1"), await put(h, a, "2")
    await h.sender().drain()
    row = await h.row(second)
    assert (await h.row(first)).status == OutboxStatus.SENT
    assert (row.status, row.attempts, row.throttled) == (OutboxStatus.PENDING, 0, 1)
    assert row.next_attempt_at == h.clock.now() + timedelta(seconds=3)
    assert h.pacer.chat_wait(a) == pytest.approx(3)  # the chat is paused, not everything
    assert h.pacer.global_pause() == 0

    assert await h.sender().drain() == 0  # not due yet
    h.advance(3)
    await h.sender().drain()
    row = await h.row(second)
    assert (row.status, row.attempts, row.throttled) == (OutboxStatus.SENT, 0, 1)
    assert h.world.counters.too_many_requests == 1


async def test_global_429_pauses_every_send(harness: Harness) -> None:
    h = harness
    h.world.flood_config.enabled = True
    h.world.flood_config.global_per_second = 2
    h.world.flood.reset()
    chats = h.personas(6)
    ids = [await put(h, chat) for chat in chats]
    sender = h.sender(delivery_concurrency=6)
    await sender.drain()
    assert h.pacer.global_pause() == pytest.approx(1)
    for _ in range(10):
        h.advance(1)
        await sender.drain()
    rows = [await h.row(i) for i in ids]
    assert all(r.status == OutboxStatus.SENT and r.attempts == 0 for r in rows)
    assert sum(r.throttled for r in rows) >= 1


@pytest.mark.parametrize("fault", ["error_rate", "drop_rate"])
async def test_5xx_or_dropped_connection_retries_with_backoff(
    harness: Harness, fault: str
) -> None:
    h = harness
    (a,) = h.personas(1)
    row_id = await put(h, a)
    setattr(h.world.faults.config, fault, 1.0)
    await h.sender().drain()
    row = await h.row(row_id)
    assert (row.status, row.attempts, row.throttled) == (OutboxStatus.PENDING, 1, 0)
    assert row.last_error and row.last_error.startswith(
        "TelegramServerError" if fault == "error_rate" else "TelegramNetworkError"
    )
    base = h.settings.delivery_retry_base_seconds
    delay = (row.next_attempt_at - h.clock.now()).total_seconds()
    assert 0.5 * base <= delay <= 1.5 * base

    setattr(h.world.faults.config, fault, 0.0)
    assert await h.sender().drain() == 0
    h.advance(1.5 * base)
    await h.sender().drain()
    row = await h.row(row_id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


async def test_gives_up_after_max_attempts_with_the_reason(harness: Harness) -> None:
    h = harness
    (a,) = h.personas(1)
    row_id = await put(h, a)
    h.world.faults.config.error_rate = 1.0
    sender = h.sender(delivery_max_attempts=3)
    delays = []
    for _ in range(5):
        await sender.drain()
        row = await h.row(row_id)
        if row.status != OutboxStatus.PENDING:
            break
        delays.append((row.next_attempt_at - h.clock.now()).total_seconds())
        h.advance(delays[-1])
    row = await h.row(row_id)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error and row.last_error.startswith("TelegramServerError")
    assert len(delays) == 2 and delays[1] > delays[0] / 3  # backoff doubles (± jitter)
    assert h.world.counters.injected_errors == 3


async def test_403_marks_the_person_unreachable_and_stops_sending_to_them(
    harness: Harness,
) -> None:
    h = harness
    gone, other = h.personas(2)
    await h.add_person(gone)
    await h.add_person(other)
    h.world.set_blocked(gone, True)
    ids = [await put(h, gone, f"m{i}") for i in range(3)]
    other_id = await put(h, other)
    await h.sender().drain()
    rows = [await h.row(i) for i in ids]
    assert rows[0].status == OutboxStatus.FAILED
    assert rows[0].last_error and "blocked" in rows[0].last_error
    assert [r.status for r in rows[1:]] == [OutboxStatus.CANCELLED] * 2
    assert (await h.row(other_id)).status == OutboxStatus.SENT
    assert h.world.counters.blocked == 1  # one call found out; the rest were never sent
    async with h.sessionmaker() as session:
        from sqlalchemy import select

        person = await session.scalar(select(Person).where(Person.telegram_id == gone))
    assert person is not None and person.unreachable

    later = await put(h, gone, "later")  # enqueued after: stored cancelled, never sent
    assert (await h.row(later)).status == OutboxStatus.CANCELLED
    await h.sender().drain()
    assert h.world.counters.blocked == 1


async def test_400_fails_at_once_with_telegrams_description(harness: Harness) -> None:
    h = harness
    (a,) = h.personas(1)
    row_id = await put(h, a, "<b>never closed")
    await h.sender().drain()
    row = await h.row(row_id)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 0)
    assert row.last_error and row.last_error.startswith("TelegramBadRequest")
    assert "parse" in row.last_error


async def test_expired_leases_are_recovered_live_ones_are_not(harness: Harness) -> None:
    h = harness
    chats = h.personas(4)
    ids = [await put(h, chat) for chat in chats]
    crashed = h.sender()
    held = await crashed.claim(2)  # …and the process dies before sending them
    assert [c.id for c in held] == ids[:2]

    survivor = h.sender()
    assert await survivor.drain() == 2  # only the two nobody holds
    assert {(await h.row(i)).status for i in ids[:2]} == {OutboxStatus.SENDING}
    h.advance(h.settings.delivery_lease_seconds - 1)
    assert await survivor.drain() == 0  # leases still live
    h.advance(2)
    assert await survivor.drain() == 2
    assert {(await h.row(i)).status for i in ids} == {OutboxStatus.SENT}
    assert sorted(chat for chat, _ in arrivals(h)) == sorted(chats)  # each exactly once


async def test_a_late_outcome_from_a_lost_lease_is_not_recorded(harness: Harness) -> None:
    h = harness
    (a,) = h.personas(1)
    row_id = await put(h, a)
    slow = h.sender()
    (held,) = await slow.claim(1)
    h.advance(h.settings.delivery_lease_seconds + 1)
    await h.sender().drain()  # another sender recovers and sends it
    await slow.deliver(held)  # the slow one wakes up: its lease is gone, so it doesn't send
    row = await h.row(row_id)
    assert row.status == OutboxStatus.SENT and row.telegram_message_id == 1
    assert len(h.world.deliveries) == 1


async def test_quiet_hours_hold_non_urgent_rows_until_morning(harness: Harness) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 13, 59, tzinfo=UTC))  # 21:59 in Shanghai
    calm, loud, early = h.personas(3)
    before = await put(h, early, "queued before 22:00")
    h.clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # 23:00
    calm_id = await put(h, calm, "digest")
    loud_id = await put(h, loud, "urgent", urgent=True)
    await h.sender().drain()
    assert arrivals(h) == [(loud, "urgent")]
    assert (await h.row(before)).status == OutboxStatus.PENDING
    assert (await h.row(calm_id)).next_attempt_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)

    h.clock.set(datetime(2026, 11, 26, 23, 59, tzinfo=UTC))  # 07:59
    assert await h.sender().drain() == 0
    h.advance(60)  # 08:00
    await h.sender().drain()
    assert {(await h.row(i)).status for i in (before, calm_id, loud_id)} == {OutboxStatus.SENT}


async def test_a_retry_that_would_fall_in_quiet_hours_waits_for_morning(
    harness: Harness,
) -> None:
    h = harness
    h.clock.set(datetime(2026, 11, 26, 13, 59, 59, tzinfo=UTC))  # 21:59:59 in Shanghai
    (a,) = h.personas(1)
    row_id = await put(h, a)
    h.world.faults.config.error_rate = 1.0
    await h.sender().drain()
    row = await h.row(row_id)
    assert row.attempts == 1
    assert row.next_attempt_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


async def test_personal_notices_go_before_bulk(harness: Harness) -> None:
    h = harness
    chats = h.personas(20)
    for chat in chats[:12]:
        await put(h, chat, "bulk", priority=PRIORITY_BULK)
    for chat in chats[12:]:
        await put(h, chat, "personal", priority=PRIORITY_PERSONAL)
    await h.sender(delivery_concurrency=4).drain()
    texts = [text for _, text in arrivals(h)]
    assert texts == ["personal"] * 8 + ["bulk"] * 12
