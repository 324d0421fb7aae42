"""Leadership: exactly one replica leads; when its database connection dies (as when its
process is SIGKILLed), another takes the lead at its next try. SQLite: the process leads."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import metrics
from bot.app.leader import CallbackDuties, Leadership
from tests.conftest import _pg_engine


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    def duties(self) -> CallbackDuties:
        async def start() -> None:
            self.events.append("start")

        async def stop() -> None:
            self.events.append("stop")

        return CallbackDuties(start, stop)


async def test_one_replica_leads_and_another_takes_over(engine: AsyncEngine, backend: str) -> None:
    if backend == "sqlite":
        lone = Recorder()
        leadership = Leadership(engine, lone.duties(), check_seconds=0.1)
        await leadership.start()
        assert leadership.leading and lone.events == ["start"]
        assert metrics.LEADER._value.get() == 1  # type: ignore[attr-defined]
        await leadership.stop()
        assert lone.events == ["start", "stop"] and not leadership.leading
        return
    other_engine = _pg_engine()  # a second replica: its own pool, its own connections
    first, second = Recorder(), Recorder()
    a = Leadership(engine, first.duties(), check_seconds=0.1)
    b = Leadership(other_engine, second.duties(), check_seconds=0.1)
    try:
        await a.start()
        await b.start()
        assert a.leading and not b.leading
        for _ in range(3):
            await b.check()
        assert not b.leading and second.events == []

        # The leader's connection dies (its process was killed): the server ends its session.
        assert a._conn is not None
        pid = await a._conn.scalar(text("SELECT pg_backend_pid()"))
        async with other_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(600):  # the server ends the session a moment later (slow when loaded)
            await b.wait_changed(0.1)
            await b.check()
            if b.leading:
                break
        assert b.leading and second.events == ["start"]
        # The old leader finds out at its next check and stops its duties.
        await a.check()
        assert not a.leading and first.events == ["start", "stop"]
        await a.check()
        assert not a.leading  # the lock is taken: it follows now

        # A graceful stop hands the lead over at once.
        await b.stop()
        await a.check()
        assert a.leading and first.events == ["start", "stop", "start"]
    finally:
        await a.stop()
        await b.stop()
        await other_engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_failing_start_gives_the_lead_up(engine: AsyncEngine) -> None:
    events: list[str] = []

    async def start() -> None:
        raise RuntimeError("no")

    async def stop() -> None:
        events.append("stop")

    leadership = Leadership(engine, CallbackDuties(start, stop))
    await leadership.start()
    assert not leadership.leading and events == ["stop"]
