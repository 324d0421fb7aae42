"""aiosqlite without its thread: statements run on the event loop, a busy database is waited
for with `asyncio.sleep`.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own and
back: four hops a statement, each a queue put, a thread wake-up, a GIL hand-over and a loop
wake-up. The bot's statements take tens of microseconds in SQLite, so the hops cost more than
the work (measured: most of the gap between SQLite and PostgreSQL per update). Here each call
runs where it is awaited.

SQLite's own busy handler would sleep inside the call, stopping the loop: these connections
set no busy timeout, and a call that finds the database locked by another process (a CLI
import, a backup) is retried after a short asynchronous sleep, up to the same 10 s SQLite
would wait. A retry is what SQLite's handler does too: a write meets the lock before it
changes anything. Within the process, writers queue in `storage.sqlite_writer` first.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

BUSY_WAIT_SECONDS = 10.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "database is locked" in str(error)


class InlineConnection(aiosqlite.Connection):
    """An `aiosqlite.Connection` that never starts its thread."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        pause = _FIRST_PAUSE
        deadline = asyncio.get_running_loop().time() + BUSY_WAIT_SECONDS
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or asyncio.get_running_loop().time() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()

    def stop(self) -> None:  # no thread: nothing to wait for
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def inline_connector(database: str) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy: a fresh inline connection to `database`."""

    async def connect() -> InlineConnection:
        def open_database() -> sqlite3.Connection:
            return sqlite3.connect(database, check_same_thread=False)

        return await InlineConnection(open_database, iter_chunk_size=64)

    return connect
