"""Enqueueing: the caller's transaction, dedup keys (also concurrent), unreachable people."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery.outbox import (
    PRIORITY_PERSONAL,
    UNREACHABLE_REASON,
    batch_progress,
    enqueue,
    enqueue_for_person,
)
from bot.delivery.reachability import list_unreachable
from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus
from tests.kit.rows import count_rows
from tests.kit.uow import unit_of_work


async def test_enqueue_is_part_of_the_callers_transaction(
    sessionmaker: SessionMaker, settings: Settings, clock: FakeClock
) -> None:
    # The change fails: its notification goes with it.
    with contextlib.suppress(RuntimeError):
        async with sessionmaker() as session, session.begin():
            await enqueue(
                session, chat_id=5, text="hi", kind="test", settings=settings, clock=clock
            )
            raise RuntimeError("the change failed")
    assert await count_rows(sessionmaker, OutboxMessage) == 0

    markup = InlineKeyboardBuilder().button(text="Open", callback_data="open:1").as_markup()
    async with sessionmaker() as session, session.begin():
        row_id = await enqueue(
            session,
            chat_id=5,
            text="<b>hi</b>",
            kind="test",
            reply_markup=markup,
            settings=settings,
            clock=clock,
        )
    assert row_id is not None
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(OutboxMessage, row_id)
    assert row is not None
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at == clock.now()
    assert row.payload == {
        "method": "sendMessage",
        "text": "<b>hi</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Open", "callback_data": "open:1"}]]},
    }


async def test_dedup_key_makes_a_second_enqueue_a_no_op(
    sessionmaker: SessionMaker, settings: Settings, clock: FakeClock
) -> None:
    key = "remind:measure:123:2026-12-01"
    async with sessionmaker() as session, session.begin():
        first = await enqueue(
            session, chat_id=5, text="a", kind="remind", dedup_key=key, settings=settings
        )
    async with sessionmaker() as session, session.begin():
        second = await enqueue(
            session, chat_id=5, text="b", kind="remind", dedup_key=key, settings=settings
        )
        # The caller's transaction is still usable after the duplicate.
        third = await enqueue(session, chat_id=5, text="c", kind="other", settings=settings)
    assert first is not None and second is None and third is not None
    assert await count_rows(sessionmaker, OutboxMessage) == 2


async def test_concurrent_enqueues_of_one_key_store_one_row(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    start = asyncio.Event()

    async def one(i: int) -> int | None:
        async with sessionmaker() as session, session.begin():
            await start.wait()
            return await enqueue(
                session, chat_id=i, text=str(i), kind="race", dedup_key="race:1", settings=settings
            )

    tasks = [asyncio.create_task(one(i)) for i in range(8)]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks)
    assert sum(r is not None for r in results) == 1
    assert await count_rows(sessionmaker, OutboxMessage) == 1


async def test_enqueue_for_an_unreachable_person_is_stored_cancelled(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(Person(telegram_id=77, name="Gone", unreachable=True))
        session.add(Person(telegram_id=78, name="Here"))
    async with sessionmaker() as session, session.begin():
        gone = await enqueue(session, chat_id=77, text="x", kind="k", settings=settings)
        here = await enqueue(session, chat_id=78, text="x", kind="k", settings=settings)
    async with unit_of_work(sessionmaker) as session:
        gone_row = await session.get(OutboxMessage, gone)
        here_row = await session.get(OutboxMessage, here)
        unreachable = await list_unreachable(session)
    assert gone_row is not None and here_row is not None
    assert (gone_row.status, gone_row.last_error) == (OutboxStatus.CANCELLED, UNREACHABLE_REASON)
    assert here_row.status == OutboxStatus.PENDING
    assert [p.name for p in unreachable] == ["Gone"]


async def test_enqueue_for_person_renders_in_their_language_and_escapes(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    async with sessionmaker() as session, session.begin():
        zh = Person(telegram_id=1, name="王芳")
        en = Person(telegram_id=2, name="Ann", language="en")
        unbound = Person(telegram_id=None, name="Nobody")
        session.add_all([zh, en, unbound])
        await session.flush()
        ids = [
            await enqueue_for_person(
                session,
                person,
                "start.welcome_back",
                kind="test",
                values={"name": "<A&B>"},
                settings=settings,
            )
            for person in (zh, en, unbound)
        ]
    assert ids[2] is None  # no Telegram account yet
    async with unit_of_work(sessionmaker) as session:
        rows = [await session.get(OutboxMessage, i) for i in ids[:2]]
    assert rows[0] is not None and rows[1] is not None
    assert rows[0].payload["text"] == "&lt;A&amp;B&gt;，欢迎回来。"
    assert rows[1].payload["text"] == "Welcome back, &lt;A&amp;B&gt;."
    assert rows[0].priority == PRIORITY_PERSONAL
    assert rows[0].person_id == zh.id


async def test_non_urgent_enqueue_in_quiet_hours_waits_for_morning(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    from datetime import UTC, datetime

    clock = FakeClock(datetime(2026, 11, 26, 15, 30, tzinfo=UTC))  # 23:30 in Shanghai
    async with sessionmaker() as session, session.begin():
        calm = await enqueue(
            session, chat_id=1, text="x", kind="k", settings=settings, clock=clock
        )
        loud = await enqueue(
            session, chat_id=1, text="x", kind="k", urgent=True, settings=settings, clock=clock
        )
        later = await enqueue(
            session,
            chat_id=1,
            text="x",
            kind="k",
            not_before=clock.now() + timedelta(days=1, hours=-5),  # 18:30 tomorrow
            settings=settings,
            clock=clock,
        )
    async with unit_of_work(sessionmaker) as session:
        due = [(await session.get(OutboxMessage, i)).next_attempt_at for i in (calm, loud, later)]  # type: ignore[union-attr]
    assert due[0] == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert due[1] == clock.now()
    assert due[2] == datetime(2026, 11, 27, 10, 30, tzinfo=UTC)


async def test_batch_progress_counts_a_broadcast(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    async with sessionmaker() as session, session.begin():
        for chat in range(5):
            await enqueue(
                session, chat_id=chat, text="x", kind="b", batch_id="b1", settings=settings
            )
        await enqueue(session, chat_id=9, text="x", kind="b", batch_id="b2", settings=settings)
    async with unit_of_work(sessionmaker) as session:
        progress = await batch_progress(session, "b1")
    assert (progress.pending, progress.sent, progress.total) == (5, 0, 5)
