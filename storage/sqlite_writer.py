"""SQLite takes one writer at a time: the process's writers queue for it in asyncio, in order.

Without this, every connection that wants to write waits inside SQLite's busy handler, which
sleeps and retries in its own thread, unfairly: under a few hundred concurrent updates some
wait past the busy timeout and fail with "database is locked". Here a write statement (the
first INSERT, UPDATE or DELETE of a transaction: that is when the SQLite driver begins it)
first takes an asyncio lock, first come first served, and the lock is given back when the
connection goes back to the pool (after its COMMIT or ROLLBACK). Readers never wait (WAL).
Past what the machine can do, writers wait their turn; none is dropped.

The busy timeout stays for other processes (the CLI, a backup) on the same file.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

log = logging.getLogger(__name__)

_HOLDS = "qingfeng_holds_write_lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")
# A writer this long in the queue goes ahead anyway (SQLite's busy timeout then decides):
# a connection held open across transactions, or a long unit of work holding the lock (a
# scheduled scan), cannot stall the process's updates for good.
QUEUE_LIMIT_SECONDS = 15.0


class WriterQueue:
    """The process's one SQLite writer, per event loop."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._owners: dict[asyncio.Lock, asyncio.Task[Any] | None] = {}

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def acquire(self) -> asyncio.Lock | None:
        lock = self._lock()
        task = asyncio.current_task()
        if lock.locked() and self._owners.get(lock) is task:
            return None  # this task writes on a second connection: SQLite decides
        try:
            await asyncio.wait_for(lock.acquire(), QUEUE_LIMIT_SECONDS)
        except TimeoutError:
            log.warning("waited %ss for the SQLite write lock; going ahead", QUEUE_LIMIT_SECONDS)
            return None
        self._owners[lock] = task
        return lock

    def release(self, lock: asyncio.Lock) -> None:
        self._owners.pop(lock, None)
        if lock.locked():
            lock.release()


def serialise_writers(engine: AsyncEngine) -> None:
    """Install the queue on an SQLite engine."""
    queue = WriterQueue()

    def before_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if _HOLDS in info or not statement.lstrip()[:6].upper().startswith(_WRITES):
            return
        if not in_greenlet():
            return  # plain synchronous use: nothing to queue behind
        info[_HOLDS] = await_only(queue.acquire())

    def given_back(_dbapi_connection: Any, record: Any) -> None:
        lock = record.info.pop(_HOLDS, None) if record is not None else None
        if lock is not None:
            queue.release(lock)

    event.listen(engine.sync_engine, "before_cursor_execute", before_write)
    event.listen(engine.sync_engine, "checkin", given_back)
