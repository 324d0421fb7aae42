"""The sender's claim walks the due index in order and stops at its limit: SQLite's plan for
each of its statements reads no other index and sorts nothing, however many rows wait.

The plan is read, never timed (`make bench-delivery` times a broadcast)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.lease import claim_due
from bot.delivery.outbox import Outgoing, enqueue_many
from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from tests.kit.uow import unit_of_work


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL plans by its statistics
async def test_a_claim_follows_the_due_index(
    engine: AsyncEngine, sessionmaker: SessionMaker, settings: Settings, clock: FakeClock
) -> None:
    messages = [Outgoing(chat_id=100_000 + n, text="通知") for n in range(300)]
    async with unit_of_work(sessionmaker) as session:
        await enqueue_many(session, messages, kind="broadcast", settings=settings, clock=clock)
    now = clock.now() + timedelta(minutes=5)
    claims: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            claims.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        async with unit_of_work(sessionmaker) as session:
            claimed = await claim_due(
                session,
                now=now,
                lease_until=now + timedelta(minutes=2),
                limit=8,
                urgent_only=False,
                skip_chats=[100_001],
            )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)
    assert len(claimed) == 8 and 100_001 not in {c.chat_id for c in claimed}
    assert [c.chat_id for c in claimed] == [100_000, *range(100_002, 100_009)]
    assert claims, "the claim ran no UPDATE"
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        sqlite = raw.driver_connection._conn  # type: ignore[union-attr]  # the sqlite3 one
        for statement, parameters in claims:
            plan = [
                row[3] for row in sqlite.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            assert any("USING INDEX ix_outbox_due" in step for step in plan), plan
            assert not any("TEMP B-TREE" in step or "MULTI-INDEX OR" in step for step in plan), (
                plan
            )
