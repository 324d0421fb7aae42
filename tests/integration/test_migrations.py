"""Alembic stairway: every revision upgrades, downgrades and upgrades again; at head the
schema is exactly the models'. SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.models  # noqa: F401  (fills Base.metadata)
from storage import migrate
from storage.base import Base
from storage.db import make_engine
from tests.conftest import BACKENDS, PG_URL
from tests.kit.db import own_schema


def revisions() -> list[str]:
    """Every revision id, oldest first (a single line of history)."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, "migrations must not branch"
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@pytest.fixture(params=BACKENDS)
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An empty database of this test's own (not the shared, already migrated fixture)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'stairway.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    async with own_schema(PG_URL or "", f"qf_stairway_{uuid.uuid4().hex[:12]}") as engine:
        yield engine


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


def test_history_is_one_line() -> None:
    ids = revisions()
    assert ids[0] == "0001"
    assert len(ids) == len(set(ids))


async def test_stairway(empty_engine: AsyncEngine) -> None:
    ids = revisions()
    for index, revision in enumerate(ids):
        await migrate.upgrade(empty_engine, revision)
        assert await migrate.current_revision(empty_engine) == revision
        previous = ids[index - 1] if index else None
        await migrate.downgrade(empty_engine, previous or "base")
        assert await migrate.current_revision(empty_engine) == previous
        await migrate.upgrade(empty_engine, revision)
    await migrate.downgrade(empty_engine, "base")
    assert await tables(empty_engine) <= {"alembic_version"}


async def test_head_matches_the_models(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)

    def differences(sync: Any) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with empty_engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(str, diff)
    )
    assert {t.name for t in Base.metadata.sorted_tables} <= await tables(empty_engine)


async def test_the_comparison_would_notice_a_missing_migration(empty_engine: AsyncEngine) -> None:
    """Guards the test above: a model without a migration shows up as a difference."""
    await migrate.upgrade(empty_engine)
    extra = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))

    async with empty_engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), extra)
        )
    assert [entry[0] for entry in diff] == ["add_table"]
