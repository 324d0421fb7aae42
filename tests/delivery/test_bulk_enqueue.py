"""Bulk enqueue: the same rows as one `enqueue()` per message, in far fewer statements."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.delivery.outbox import (
    PRIORITY_BULK,
    PRIORITY_PERSONAL,
    UNREACHABLE_REASON,
    Outgoing,
    enqueue,
    enqueue_for_people,
    enqueue_many,
)
from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from storage.models.outbox import OutboxStatus
from tests.kit.rows import outbox_rows


async def test_bulk_stores_every_row_across_chunks_and_skips_used_dedup_keys(
    sessionmaker: SessionMaker, settings: Settings, clock: FakeClock
) -> None:
    async with sessionmaker() as session, session.begin():
        await enqueue(session, chat_id=3, text="old", kind="b", dedup_key="k:3", settings=settings)
    messages = [Outgoing(chat_id=i, text=f"m{i}", dedup_key=f"k:{i}") for i in range(7)]
    messages.append(Outgoing(chat_id=5, text="again", dedup_key="k:5"))  # twice in one call
    async with sessionmaker() as session, session.begin():
        stored = await enqueue_many(
            session, messages, kind="b", batch_id="b1", settings=settings, clock=clock, chunk=3
        )
    assert stored == 6  # k:3 was used before, the second k:5 within the call
    rows = await outbox_rows(sessionmaker)
    assert sorted(r.dedup_key for r in rows) == [f"k:{i}" for i in range(7)]
    assert {r.payload["text"] for r in rows if r.dedup_key == "k:3"} == {"old"}
    assert {r.payload["text"] for r in rows if r.dedup_key == "k:5"} == {"m5"}
    bulk = [r for r in rows if r.batch_id == "b1"]
    assert all(r.priority == PRIORITY_BULK and r.next_attempt_at == clock.now() for r in bulk)
    async with sessionmaker() as session, session.begin():
        assert await enqueue_many(session, messages, kind="b", settings=settings) == 0


async def test_bulk_is_part_of_the_callers_transaction(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    async with sessionmaker() as session, session.begin():
        await enqueue_many(session, [Outgoing(chat_id=1, text="x")], kind="b", settings=settings)
        await session.rollback()
    assert await outbox_rows(sessionmaker) == []


async def test_bulk_honours_quiet_hours_priority_urgency_and_unreachable_people(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    clock = FakeClock(datetime(2026, 11, 26, 15, 30, tzinfo=UTC))  # 23:30 in Shanghai
    async with sessionmaker() as session, session.begin():
        session.add(Person(telegram_id=77, name="Gone", unreachable=True))
        session.add(Person(telegram_id=78, name="Here"))
    async with sessionmaker() as session, session.begin():
        await enqueue_many(
            session,
            [Outgoing(chat_id=77, text="x"), Outgoing(chat_id=78, text="x")],
            kind="calm",
            priority=PRIORITY_PERSONAL,
            settings=settings,
            clock=clock,
        )
        await enqueue_many(
            session, [Outgoing(chat_id=78, text="y")], kind="loud", urgent=True,
            settings=settings, clock=clock,
        )  # fmt: skip
    rows = {(r.kind, r.chat_id): r for r in await outbox_rows(sessionmaker)}
    gone, here, loud = rows["calm", 77], rows["calm", 78], rows["loud", 78]
    assert (gone.status, gone.last_error) == (OutboxStatus.CANCELLED, UNREACHABLE_REASON)
    assert (here.status, here.last_error) == (OutboxStatus.PENDING, None)
    assert here.priority == PRIORITY_PERSONAL
    assert here.next_attempt_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 08:00 Shanghai
    assert loud.next_attempt_at == clock.now() and loud.urgent


async def test_bulk_for_people_renders_each_in_their_language(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    async with sessionmaker() as session, session.begin():
        people = [
            Person(telegram_id=1, name="王芳"),
            Person(telegram_id=2, name="Ann", language="en"),
            Person(telegram_id=None, name="Nobody"),
        ]
        session.add_all(people)
        await session.flush()
        stored = await enqueue_for_people(
            session, people, "start.welcome_back", kind="t", values={"name": "<A&B>"},
            dedup_prefix="welcome", settings=settings,
        )  # fmt: skip
    assert stored == 2
    rows = await outbox_rows(sessionmaker)
    assert [r.payload["text"] for r in rows] == [
        "&lt;A&amp;B&gt;，欢迎回来。",
        "Welcome back, &lt;A&amp;B&gt;.",
    ]
    assert [r.dedup_key for r in rows] == [f"welcome:{people[0].id}", f"welcome:{people[1].id}"]
