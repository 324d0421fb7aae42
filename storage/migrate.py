"""Alembic, driven from code: `python -m bot db upgrade`, start-up, and the tests.

Alembic (and the revision scripts, which import the models) costs about a second to load, so
it is imported only when there is something to do: the applied revision is read with one
SELECT and the newest one from the scripts' `revision = "…"` lines, and `upgrade()` to a
database already at the head returns at once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to `revision`, in one transaction (nothing to do: one SELECT)."""
    if revision == "head" and await current_revision(engine) == head_revision():
        return
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The applied revision (None on an empty database), read without loading Alembic."""
    async with engine.connect() as conn:
        try:
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
        except DBAPIError:  # no such table: nothing applied yet
            return None
    if len(rows) > 1:  # branches: let Alembic say what that means
        from alembic.runtime.migration import MigrationContext

        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    return rows[0][0] if rows else None


async def autogenerate(engine: AsyncEngine, message: str, rev_id: str) -> None:
    """Write a new revision from the difference between the models and the database at head."""
    from alembic import command

    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.run_sync(
            lambda sync: command.revision(
                alembic_config(sync), message=message, autogenerate=True, rev_id=rev_id
            )
        )


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision the code knows (what `upgrade` would bring the database to).

    Read from the scripts' own `revision` / `down_revision` lines: the one revision nobody
    names as its parent. Several heads (an unmerged branch) are Alembic's to report."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            target = revisions if name == "revision" else parents
            target.update(_QUOTED.findall(value.split("#", 1)[0]))
    heads = revisions - parents
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
