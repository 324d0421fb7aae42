"""Database pieces the tests and the benchmarks share: a PostgreSQL schema of one's own for
the length of a block, a Redis FSM storage of one's own likewise, and a count of the
statements a block sends."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.fsm import FullKeyBuilder

if TYPE_CHECKING:
    from aiogram.fsm.storage.redis import RedisStorage


@contextlib.asynccontextmanager
async def own_schema(url: str, schema: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose search path is the empty schema `schema` (made afresh in the database
    at `url`, dropped with everything in it when the block ends)."""
    admin = make_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


@contextlib.asynccontextmanager
async def own_redis_storage(url: str) -> AsyncIterator[RedisStorage]:
    """A Redis FSM storage under a key prefix of its own; its keys are deleted and the
    connection closed when the block ends."""
    from aiogram.fsm.storage.redis import RedisStorage  # only the Redis runs load it

    prefix = f"qf_test_{uuid.uuid4().hex}"
    storage = RedisStorage.from_url(url, key_builder=FullKeyBuilder(prefix=prefix))
    try:
        yield storage
    finally:
        keys = [key async for key in storage.redis.scan_iter(f"{prefix}:*")]
        if keys:
            await storage.redis.delete(*keys)
        await storage.close()


@contextlib.contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement sent to the database while inside (executemany batches count once)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
