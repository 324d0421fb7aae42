"""The benchmark's database: the seed's size, built by the generator, with personas bound."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench import PROJECT_ROOT
from storage.db import make_engine
from storage.models.org import Person
from storage.models.register import RiskPoint

PERSONA_BASE = 8_000_000_000  # Telegram ids for the bound staff, apart from the generator's


@dataclass
class Database:
    url: str
    user_ids: list[int]
    admin_url: str | None = None
    name: str | None = None

    async def drop(self) -> None:
        if self.admin_url is None or self.name is None:
            return
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        await engine.dispose()


async def _cli(url: str, *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": url, "BOT_TOKEN": "", "REDIS_URL": ""},
        stdout=asyncio.subprocess.DEVNULL,
    )
    if await process.wait():
        raise RuntimeError(f"python -m bot {' '.join(args)} failed")


async def _bind_personas(url: str, count: int) -> list[int]:
    """Give `count` staff a Telegram id: those whose posts hold the most risk points first
    (their /risks has a second page)."""
    engine = make_engine(url)
    per_post = (
        select(RiskPoint.post_id, func.count().label("n")).group_by(RiskPoint.post_id).subquery()
    )
    async with engine.begin() as conn:
        rows = await conn.execute(
            select(Person.id, Person.telegram_id)
            .join(per_post, per_post.c.post_id == Person.post_id)
            .where(Person.active.is_(True))
            .order_by(per_post.c.n.desc(), Person.id)
            .limit(count)
        )
        user_ids = []
        for person_id, telegram_id in rows.all():
            if telegram_id is None:
                telegram_id = PERSONA_BASE + person_id
                await conn.execute(
                    update(Person).where(Person.id == person_id).values(telegram_id=telegram_id)
                )
            user_ids.append(int(telegram_id))
    await engine.dispose()
    return user_ids


async def prepare_database(
    kind: str, folder: Path, args: argparse.Namespace, postgres_admin: str
) -> Database:
    database = Database(url=f"sqlite+aiosqlite:///{folder / 'bench-updates.db'}", user_ids=[])
    if kind.startswith("postgres"):
        name = f"qingfeng_bench_updates_{os.getpid()}"
        engine = create_async_engine(postgres_admin, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        await engine.dispose()
        url = make_url(postgres_admin).set(database=name).render_as_string(hide_password=False)
        database = Database(url=url, user_ids=[], admin_url=postgres_admin, name=name)
    await _cli(database.url, "db", "upgrade")
    await _cli(database.url, "demo", "seed-scale", "--scale", str(args.scale))
    database.user_ids = await _bind_personas(database.url, args.personas)
    return database
