"""The bot's work that is not an update (outbox sender, scheduled jobs) runs on a threaded
engine of its own on an SQLite file, beside the event loop; its writers and the updates'
queue for the file's one write lock together, so neither meets the other's lock in SQLite."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.wiring import create_dispatcher
from bot.settings import Settings
from storage import sqlite_inline
from storage.db import background_engine, make_engine, make_sessionmaker


async def _table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (v TEXT)"))


async def _values(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(text("SELECT v FROM t ORDER BY v"))).scalars())


async def test_background_statements_run_beside_the_loop(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'q.sqlite3'}", pooled=True)
    threads: set[str] = set()
    try:
        async with background_engine(engine) as background, background.connect() as connection:
            assert background is not engine
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert not isinstance(driver, sqlite_inline.InlineConnection)
            await driver._execute(  # type: ignore[union-attr]
                driver._conn.create_function,  # type: ignore[union-attr]
                "whose",
                0,
                lambda: threads.add(threading.current_thread().name) or 1,
            )
            assert (await connection.execute(text("SELECT whose()"))).scalar() == 1
    finally:
        await engine.dispose()
    assert threads and threading.current_thread().name not in threads


@pytest.mark.parametrize("holder_is_background", [True, False], ids=["background", "update"])
async def test_writers_of_both_engines_queue_for_one_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, holder_is_background: bool
) -> None:
    # SQLite's own wait (and the inline one) given up after 0.2 s: a writer that met the
    # other engine's lock in SQLite, not in the process's queue, would fail as locked.
    monkeypatch.setattr(sqlite_inline, "BUSY_WAIT_SECONDS", 0.2)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'q.sqlite3'}", pooled=True)
    try:
        await _table(engine)
        async with background_engine(engine) as background:
            holder, waiter = (background, engine) if holder_is_background else (engine, background)
            held = asyncio.Event()

            async def hold() -> None:
                async with holder.begin() as connection:
                    await connection.execute(text("INSERT INTO t VALUES ('first')"))
                    held.set()
                    await asyncio.sleep(0.6)

            async def wait_its_turn() -> None:
                await held.wait()
                async with waiter.begin() as connection:
                    await connection.execute(text("INSERT INTO t VALUES ('second')"))

            await asyncio.gather(hold(), wait_its_turn())
        assert await _values(engine) == ["first", "second"]
    finally:
        await engine.dispose()


async def test_memory_and_postgresql_keep_one_engine(tmp_path: Path) -> None:
    memory = make_engine("sqlite+aiosqlite:///:memory:")
    postgres = make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        async with background_engine(memory) as same:
            assert same is memory
        async with background_engine(postgres) as same:
            assert same is postgres
    finally:
        await memory.dispose()
        await postgres.dispose()


def test_the_dispatcher_hands_background_work_its_own_sessions(settings: Settings) -> None:
    updates = make_sessionmaker(make_engine("sqlite+aiosqlite:///:memory:"))
    background = make_sessionmaker(make_engine("sqlite+aiosqlite:///:memory:"))
    dp = create_dispatcher(settings, updates, background=background)
    assert dp["sessionmaker"] is updates
    assert dp["background_sessionmaker"] is background
    assert dp["job_runner"].sessionmaker is background
    alone = create_dispatcher(settings, updates)
    assert alone["background_sessionmaker"] is updates
    assert alone["job_runner"].sessionmaker is updates
