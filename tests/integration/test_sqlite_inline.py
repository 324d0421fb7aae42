"""SQLite runs on the event loop; a database another process has locked is waited for
without stopping the loop, and given up on after the busy wait, as SQLite's own handler would."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import sqlite_inline
from storage.db import make_engine


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    """Another process's writer (a CLI import, say): holds the write lock for `seconds`."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES ('theirs')")
    locked.set()
    threading.Event().wait(seconds)
    other.execute("COMMIT")
    other.close()


async def _locked_by_another(path: Path, seconds: float) -> threading.Thread:
    """A table at `path`, then another writer holding the file's write lock for `seconds`."""
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (v TEXT)"))
    await engine.dispose()
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, seconds, locked))
    holder.start()
    await asyncio.to_thread(locked.wait)
    return holder


async def test_a_locked_database_is_waited_for_while_the_loop_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    holder = await _locked_by_another(path, 0.5)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    engine = make_engine(f"sqlite+aiosqlite:///{path}", pooled=True)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES ('ours')"))
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT v FROM t ORDER BY v"))).scalars()
            assert list(rows) == ["ours", "theirs"]
    finally:
        ticker.cancel()
        await engine.dispose()
        holder.join()
    assert ticks >= 20  # the loop ran on through the half-second wait


async def test_a_lock_held_past_the_busy_wait_fails_as_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_inline, "BUSY_WAIT_SECONDS", 0.2)
    path = tmp_path / "q.sqlite3"
    holder = await _locked_by_another(path, 1.0)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        with pytest.raises(Exception, match="database is locked"):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES ('ours')"))
        async with engine.connect() as connection:
            assert list((await connection.execute(text("SELECT v FROM t"))).scalars()) == []
    finally:
        await engine.dispose()
        holder.join()


async def test_statements_run_in_the_loops_own_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'q.sqlite3'}", pooled=True)
    threads: set[str] = set()
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, sqlite_inline.InlineConnection)
            driver._conn.create_function(
                "whose", 0, lambda: threads.add(threading.current_thread().name) or 1
            )
            assert (await connection.execute(text("SELECT whose()"))).scalar() == 1
    finally:
        await engine.dispose()
    assert threads == {threading.current_thread().name}
