"""Files stored for the outbox are deleted once no waiting row will send them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.delivery.outbox import Outgoing, enqueue_many
from bot.delivery.outbox_files import FILES_KEPT, prune_sent_files, store_files
from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.digest import OutboxFile
from storage.models.outbox import OutboxMessage, OutboxStatus
from tests.kit.uow import unit_of_work


async def test_a_sent_chart_is_pruned_and_a_waiting_one_kept(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    async with unit_of_work(sessionmaker) as session:
        sent_file, waiting_file = await store_files(
            session, [(b"chart one", "a.png"), (b"chart two", "b.png")], clock=clock
        )
        rows = [
            Outgoing(chat_id=1, text="sent", photo_file=sent_file, dedup_key="f:1"),
            Outgoing(chat_id=2, text="waiting", photo_file=waiting_file, dedup_key="f:2"),
        ]
        await enqueue_many(
            session, rows, kind="digest", urgent=True, clock=clock, settings=settings
        )
    async with unit_of_work(sessionmaker) as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedup_key == "f:1")
            .values(status=OutboxStatus.SENT.value)
        )
    async with unit_of_work(sessionmaker) as session:
        # Just stored: kept even when sent (its transaction's rows may not be visible yet).
        assert await prune_sent_files(session, clock.now()) == 0
    clock.advance(FILES_KEPT + timedelta(minutes=1))
    async with unit_of_work(sessionmaker) as session:
        assert await prune_sent_files(session, clock.now()) == 1
    async with unit_of_work(sessionmaker) as session:
        left = list(await session.scalars(select(OutboxFile.id)))
    assert left == [waiting_file]
    async with unit_of_work(sessionmaker) as session:
        await session.execute(update(OutboxMessage).values(status=OutboxStatus.CANCELLED.value))
    async with unit_of_work(sessionmaker) as session:
        assert await prune_sent_files(session, clock.now()) == 1
        assert not list(await session.scalars(select(OutboxFile.id)))
