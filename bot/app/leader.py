"""Leadership: one replica at a time runs the outbox sender, the scheduler's jobs and the
broadcast progress updater; every replica serves updates.

On PostgreSQL the leader holds a session-level advisory lock (`pg_try_advisory_lock`) on a
connection of its own, open for as long as it leads. The lock belongs to that connection: when
the leader's process dies (SIGKILL, a lost machine) the connection closes and PostgreSQL
releases the lock; the other replicas try for it every `leader_check_seconds` and one takes
over then. The leader checks its connection as often and, when the check fails, stops its
duties at once (another replica may be leading already). No consensus of our own: the
database's lock decides.

Safety does not rest on the lock alone: an outbox row is sent only under its row lease
(`bot.delivery.lease`) and a job runs under its job lease (`bot.scheduling.runner`), so even two
leaders for a moment (one whose connection broke while it finished its sends) send nothing
twice beyond the rows in flight at a crash (at most `delivery_concurrency`).

The lock's key is per database *and schema* (`hashtext` of the current schema and a name), so
deployments, or test runs, sharing one database in separate schemas don't contend. A pooler in
transaction mode (pgbouncer) cannot hold a session lock: point the bot at PostgreSQL itself.

SQLite is one process: it simply leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.app import metrics

log = logging.getLogger(__name__)

LOCK_NAME = "qingfeng.leader"
_TRY_LOCK = text("SELECT pg_try_advisory_lock(hashtext(current_schema() || '/' || :name))")


class Duties(Protocol):
    """What the leader runs: started when it takes the lead, stopped when it loses it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class CallbackDuties:
    """Duties from two coroutine functions (for tests and small wiring)."""

    def __init__(
        self, start: Callable[[], Awaitable[None]], stop: Callable[[], Awaitable[None]]
    ) -> None:
        self._start, self._stop = start, stop

    async def start(self) -> None:
        await self._start()

    async def stop(self) -> None:
        await self._stop()


class Leadership:
    """Holds the lead while it can; `start()` tries at once, then every `check_seconds`."""

    def __init__(
        self,
        engine: AsyncEngine,
        duties: Duties,
        *,
        check_seconds: float = 2.0,
        name: str = LOCK_NAME,
    ) -> None:
        self.engine = engine
        self.duties = duties
        self.check_seconds = check_seconds
        self.name = name
        self.shared = engine.dialect.name == "postgresql"
        self.leading = False
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def start(self) -> None:
        """Try for the lead now (so a lone replica leads from its first moment), then keep
        trying, or keep checking the lead, in the background until `stop()`."""
        metrics.LEADER.set(0)
        await self.check()
        if self.shared and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="leadership")

    async def stop(self) -> None:
        """Stop the duties and give the lead up (the next replica takes it at its next try)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._step_down("stopping")

    async def wait_changed(self, timeout: float) -> None:
        """Wait until the lead is taken or lost (or `timeout`): for tests and benchmarks."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)
        self._changed.clear()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                await self.check()
            except Exception:
                log.exception("leadership check failed")

    async def check(self) -> None:
        """One round: a follower tries for the lock; the leader checks its connection."""
        if not self.shared:
            if not self.leading:
                await self._take_lead()
            return
        if self.leading:
            try:
                assert self._conn is not None
                await self._conn.execute(text("SELECT 1"))
            except Exception as error:
                await self._step_down(f"its database connection failed ({type(error).__name__})")
            return
        if await self._try_lock():
            await self._take_lead()

    async def _try_lock(self) -> bool:
        try:
            if self._conn is None:
                conn = await self.engine.connect()
                # Autocommit: the lock is the session's, and no transaction stays open idle.
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                self._conn = conn
            return bool(await self._conn.scalar(_TRY_LOCK, {"name": self.name}))
        except Exception as error:
            log.warning("leadership: the database is unreachable (%s)", type(error).__name__)
            await self._drop_connection()
            return False

    async def _take_lead(self) -> None:
        self.leading = True
        metrics.LEADER.set(1)
        log.info("this replica leads: sender, scheduler and progress updates run here")
        self._changed.set()
        try:
            await self.duties.start()
        except Exception:
            log.exception("the leader's duties failed to start")
            await self._step_down("its duties failed to start")

    async def _step_down(self, why: str) -> None:
        was_leading = self.leading
        self.leading = False
        metrics.LEADER.set(0)
        # The connection goes first: a lost connection may not come back, and another
        # replica may already lead while our in-flight sends finish.
        await self._drop_connection()
        if was_leading:
            self._changed.set()
            log.warning("this replica no longer leads: %s", why)
            try:
                await self.duties.stop()
            except Exception:
                log.exception("the leader's duties failed to stop")

    async def _drop_connection(self) -> None:
        """Close the lock's connection for real (never back into the pool holding the lock)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()
