"""`backup FILE` / `restore FILE` on PostgreSQL (pg_dump / pg_restore): a round trip that
compares every table. Runs when TEST_DATABASE_URL is set, in a database of its own."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.cluster_run import create_database, drop_database
from bot.i18n import translate
from bot.settings import get_settings
from storage.db import make_engine
from tests.integration.test_backup import add_admin
from tests.kit.cli import ISOLATED, cli

PG_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]

Snapshot = dict[str, list[tuple[object, ...]]]


def snapshot(url: str) -> Snapshot:
    """Every table's rows (the public schema), in a stable order."""

    async def read() -> Snapshot:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                tables = list(
                    await conn.scalars(
                        text(
                            "SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public' ORDER BY table_name"
                        )
                    )
                )
                return {
                    t: sorted(
                        (tuple(r) for r in await conn.execute(text(f'SELECT * FROM "{t}"'))),
                        key=repr,
                    )
                    for t in tables
                }
        finally:
            await engine.dispose()

    return asyncio.run(read())


def execute(url: str, statement: str) -> None:
    async def run() -> None:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def pg_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A fresh database as DATABASE_URL, English output, no .env; dropped afterwards."""
    url = asyncio.run(create_database(PG_URL or ""))
    for name in ISOLATED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        yield url
    finally:
        get_settings.cache_clear()
        asyncio.run(drop_database(url))


def test_postgres_backup_and_restore_round_trip(
    pg_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_admin(capsys, 7001, "李纪委")
    add_admin(capsys, 7002, "王芳")
    saved = snapshot(pg_database)
    assert saved["people"] and saved["audit_log"] and saved["alembic_version"]
    assert len(saved) > 20  # every table of the schema, empty ones too

    copy = tmp_path / "backups" / "qingfeng.dump"
    copy.parent.mkdir()
    code, out, err = cli(capsys, "backup", str(copy))
    assert (code, err) == (0, "")
    assert out.strip() == translate("cli.backup_done", "en", file=str(copy))

    add_admin(capsys, 7003, "赵区长")  # a change after the backup
    execute(pg_database, "DELETE FROM role_assignments")
    assert snapshot(pg_database) != saved

    code, out, err = cli(capsys, "restore", str(copy))
    assert (code, err) == (0, "")
    assert out.strip() == translate("cli.restore_done", "en", file=str(copy))
    assert snapshot(pg_database) == saved
