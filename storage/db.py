"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool

SessionMaker = async_sessionmaker[AsyncSession]

# The session of the update being handled in this task (set by the update middleware).
_update_session: ContextVar[AsyncSession | None] = ContextVar(
    "qingfeng_update_session", default=None
)


@contextmanager
def in_update_session(session: AsyncSession) -> Iterator[None]:
    """Mark `session` as the unit of work of the update handled within this block (this
    task): the SQL FSM storage writes in it, and it is committed before the bot speaks."""
    token = _update_session.set(session)
    try:
        yield
    finally:
        _update_session.reset(token)


def update_session() -> AsyncSession | None:
    """The session of the update being handled in this task, if any."""
    return _update_session.get()


@dataclass
class StatementCount:
    """SQL statements run and connections checked out (in this task, while counting)."""

    statements: int = 0
    connections: int = 0


_count: ContextVar[StatementCount | None] = ContextVar("qingfeng_statement_count", default=None)


@contextmanager
def counting_statements() -> Iterator[StatementCount]:
    """Count the statements and connection checkouts of the code run within (this task)."""
    outer = _count.get()
    count = StatementCount()
    token = _count.set(count)
    try:
        yield count
    finally:
        _count.reset(token)
        if outer is not None:  # a count within a count adds to it
            outer.statements += count.statements
            outer.connections += count.connections


def _count_statement(*_args: Any) -> None:
    count = _count.get()
    if count is not None:
        count.statements += 1


def _count_checkout(*_args: Any) -> None:
    count = _count.get()
    if count is not None:
        count.connections += 1


def _install_counters(engine: AsyncEngine) -> AsyncEngine:
    event.listen(engine.sync_engine, "before_cursor_execute", _count_statement)
    event.listen(engine.sync_engine, "checkout", _count_checkout)
    return engine


def _sqlite_pragmas(busy_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return set_pragmas


# How long the bot's work waits for a pooled PostgreSQL connection before it fails: long
# enough for any backlog to drain, short of hanging for good on connections never given back.
POOL_WAIT_SECONDS = 600.0


def make_engine(
    url: str, *, pooled: bool = False, threaded: bool = False, **kwargs: Any
) -> AsyncEngine:
    """An async engine for `url`; SQLite files are created with their folder, and their
    writers queue in this process (`storage.sqlite_writer`), across all its engines.

    `pooled`: a long-lived process (the bot) keeps SQLite connections open between uses;
    opening one costs a thread and a few statements. Elsewhere (CLI, tests) each use opens
    its own (NullPool), released promptly and never left behind by an engine not disposed.

    `threaded`: SQLite statements run in aiosqlite's thread, beside the event loop, instead of
    on it (`storage.sqlite_inline`); for work that is not an update (`background_engine`).
    """
    if url.startswith("sqlite"):
        from storage.sqlite_inline import BUSY_WAIT_SECONDS, inline_connector
        from storage.sqlite_writer import serialise_writers

        database = _ensure_sqlite_folder(url)
        if threaded:
            # SQLite's own busy handler waits in the connection's thread, not on the loop.
            busy_ms = int(BUSY_WAIT_SECONDS * 1000)
        else:
            # No busy handler: it would sleep on the event loop. A locked database is
            # waited for asynchronously instead (`storage.sqlite_inline`).
            busy_ms = 0
            kwargs.setdefault("async_creator", inline_connector(database))
        if pooled and ":memory:" not in url:
            # Beyond the kept connections, more open while needed: none ever waits for one.
            kwargs.setdefault("poolclass", AsyncAdaptedQueuePool)
            kwargs.setdefault("pool_size", 8)
            kwargs.setdefault("max_overflow", -1)
        kwargs.setdefault("poolclass", NullPool)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_ms))
        serialise_writers(engine, database)
        return _install_counters(engine)
    kwargs.setdefault("pool_pre_ping", True)
    if pooled:
        # Past what the machine can do, an update waits its turn for a connection; the
        # default 30 s wait failed updates queued behind a burst (QueuePool TimeoutError).
        kwargs.setdefault("pool_timeout", POOL_WAIT_SECONDS)
    engine = create_async_engine(url, **kwargs)
    # A bulk insert (executemany) goes as multi-row INSERTs of up to 1,000 rows, not one
    # statement a row: fewer round trips, and the register's statement triggers (migration
    # 0021) fire once a batch.
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return _install_counters(engine)


@asynccontextmanager
async def background_engine(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The engine for a bot process's work that is not an update: the outbox sender, the
    scheduled jobs, leadership. On an SQLite file, a second, threaded engine on it (disposed
    when the block ends): updates' statements run on the event loop, where a few hundred
    microseconds each cost least, but a sender finishing a row (session, UPDATE, COMMIT) or a
    scan running on the loop would hold every reply waiting behind it (measured: sends of
    2-6 ms with no pause between them during a broadcast). Elsewhere, `engine` itself."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield engine
        return
    background = make_engine(
        engine.url.render_as_string(hide_password=False), pooled=True, threaded=True
    )
    try:
        yield background
    finally:
        await background.dispose()


def make_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def _ensure_sqlite_folder(url: str) -> str:
    """The database file of `url` (`:memory:` for none), its folder created."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    database = make_url(url).database or ":memory:"
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return database


@asynccontextmanager
async def unit_of_work(sessionmaker: SessionMaker) -> AsyncIterator[AsyncSession]:
    """One transaction at the edge (a job, a CLI command, a test): a session committed when
    the block ends normally, rolled back when it raises. Services inside only flush."""
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
