"""The unit of work for tests that call services directly: services only flush, so a test
commits as the update middleware and the job runner do (once, at the end of the block; an
exception rolls the block back)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionMaker


@asynccontextmanager
async def unit_of_work(sessionmaker: SessionMaker) -> AsyncIterator[AsyncSession]:
    """A session committed when the block ends normally, rolled back when it raises."""
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
