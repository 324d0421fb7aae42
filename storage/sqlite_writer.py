"""SQLite takes one writer at a time: the process's writers queue for it in asyncio, in order.

Without this, every connection that wants to write waits inside SQLite's busy handler, which
sleeps and retries in its own thread, unfairly: under a few hundred concurrent updates some
wait past the busy timeout and fail with "database is locked". Here a write statement (the
first INSERT, UPDATE or DELETE of a transaction: that is when the SQLite driver begins it)
first takes an asyncio lock, first come first served, and the lock is given back when the
connection goes back to the pool (after its COMMIT or ROLLBACK). Readers never wait (WAL).
Past what the machine can do, writers wait their turn; none is dropped. The queue is the
file's: the process's engines on it (the updates' and the background work's) share it.

Other processes on the same file (the CLI, a backup) are waited for by the connections
themselves: asynchronously on the loop (`storage.sqlite_inline`), by SQLite's busy handler in
a threaded connection's own thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

log = logging.getLogger(__name__)

_HOLDS = "qingfeng_holds_write_lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")
# A writer that has held the lock this long is taken as stuck (a connection held open across
# transactions, a long unit of work such as a scheduled scan), and the writers behind it go
# ahead (the asynchronous busy wait then decides), so it cannot stall the process's updates for
# good. A long queue that moves is not that: under load a writer waits its turn however long
# the queue, as a writer going ahead of the holder would fail with "database is locked".
HOLD_LIMIT_SECONDS = 15.0


class WriterQueue:
    """The process's one SQLite writer, per event loop."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        # Who holds each lock, and since when (the loop's clock).
        self._owners: dict[asyncio.Lock, tuple[asyncio.Task[Any] | None, float]] = {}

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def acquire(self) -> asyncio.Lock | None:
        lock = self._lock()
        task = asyncio.current_task()
        clock = asyncio.get_running_loop().time
        if lock.locked() and self._owners.get(lock, (None, 0.0))[0] is task:
            return None  # this task writes on a second connection: SQLite decides
        # One place in the lock's queue for the whole wait (first come, first served); the
        # holder is looked at each time its hold could reach the limit.
        acquiring = asyncio.ensure_future(lock.acquire())
        try:
            while not acquiring.done():
                holder = self._owners.get(lock)
                held = clock() - holder[1] if holder else 0.0
                await asyncio.wait({acquiring}, timeout=max(HOLD_LIMIT_SECONDS - held, 0.0))
                if acquiring.done() or holder is None or self._owners.get(lock) is not holder:
                    continue  # got it, or the lock changed hands meanwhile: the queue moves
                acquiring.cancel()
                await asyncio.wait({acquiring})
                if acquiring.cancelled():
                    log.warning(
                        "one writer has held the SQLite write lock for %ss; going ahead",
                        HOLD_LIMIT_SECONDS,
                    )
                    return None
        except BaseException:  # this writer cancelled while waiting: leave no lock behind
            if acquiring.done() and not acquiring.cancelled():
                lock.release()
            else:
                acquiring.cancel()
            raise
        self._owners[lock] = (task, clock())
        return lock

    def release(self, lock: asyncio.Lock) -> None:
        self._owners.pop(lock, None)
        if lock.locked():
            lock.release()


# One queue per database file, shared by the process's engines on it (the updates' and the
# background work's, `storage.db.background_engine`).
_queues: weakref.WeakValueDictionary[str, WriterQueue] = weakref.WeakValueDictionary()


def _queue_for(database: str) -> WriterQueue:
    if database == ":memory:":  # each in-memory engine is a database of its own
        return WriterQueue()
    key = os.path.realpath(database)
    queue = _queues.get(key)
    if queue is None:
        queue = _queues[key] = WriterQueue()
    return queue


def serialise_writers(engine: AsyncEngine, database: str) -> None:
    """Install the queue of `database` (its file) on an SQLite engine."""
    queue = _queue_for(database)

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
