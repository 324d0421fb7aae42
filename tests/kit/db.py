"""Database pieces the tests and the benchmarks share: a PostgreSQL schema of one's own for
the length of a block, and a count of the statements a block sends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine


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
