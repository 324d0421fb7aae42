"""`python -m bot backup FILE`, `restore FILE` and `db check`: an operator's tools.

SQLite is copied with its online backup API (a consistent copy while the bot runs: pages are
copied under the database's own locks, WAL included). PostgreSQL goes through `pg_dump` /
`pg_restore` (custom format) when they are on PATH. Restoring replaces the whole database:
stop the bot first.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate

# What `db check` counts: the tables an operator recognises.
MAIN_TABLES = ("units", "people", "powers", "risk_points", "campaigns", "outbox", "audit_log")


class BackupError(Exception):
    """Why a backup or restore cannot be done, as a message key and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("cli.backup_no_file")
    return Path(database)


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError("cli.backup_missing", file=str(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a database at all?
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as error:
        raise BackupError("cli.backup_not_sqlite", file=str(source), reason=str(error)) from None
    finally:
        src.close()


def _libpq_url(database_url: str) -> str:
    """The URL pg_dump understands: no `+asyncpg` driver suffix."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


async def _run(program: str, *args: str) -> None:
    path = shutil.which(program)
    if path is None:
        raise BackupError("cli.backup_no_pg_tool", program=program)
    process = await asyncio.create_subprocess_exec(
        path, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        reason = stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(
            "cli.backup_tool_failed", program=program, reason=reason[-1] if reason else "?"
        )


async def backup(database_url: str, target: Path) -> None:
    if database_url.startswith("sqlite"):
        await asyncio.to_thread(_copy_sqlite, sqlite_path(database_url), target)
        return
    await _run("pg_dump", "--format=custom", f"--file={target}", _libpq_url(database_url))


async def restore(database_url: str, source: Path) -> None:
    if database_url.startswith("sqlite"):
        await asyncio.to_thread(_copy_sqlite, source, sqlite_path(database_url))
        return
    if not await asyncio.to_thread(source.exists):
        raise BackupError("cli.backup_missing", file=str(source))
    await _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={_libpq_url(database_url)}",
        str(source),
    )


@dataclass(frozen=True)
class DbReport:
    revision: str | None
    head: str | None
    counts: dict[str, int]

    @property
    def current(self) -> bool:
        return self.revision == self.head


async def check(engine: AsyncEngine) -> DbReport:
    """Connect, read the applied revision and count the main tables (those that exist yet)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    revision = await migrate.current_revision(engine)
    head = migrate.head_revision()
    counts: dict[str, int] = {}
    if revision is not None:
        async with engine.connect() as conn:
            existing = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            for name in MAIN_TABLES:
                if name in existing:
                    # `name` is one of MAIN_TABLES, never input.
                    counted = await conn.scalar(text(f'SELECT count(*) FROM "{name}"'))
                    counts[name] = int(counted or 0)
    return DbReport(revision, head, counts)
