"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when configured),
a fake clock, settings, and the FSM storage (Redis when TEST_REDIS_URL is set)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from functools import partial
from pathlib import Path

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.delivery.outbox import use_button_packer
from bot.domain.clock import FakeClock
from bot.settings import Settings
from handlers.notice_buttons import pack_button
from storage import migrate
from storage.base import Base
from storage.db import SessionMaker, make_engine, make_sessionmaker
from storage.fsm import SQLStorage
from tests.kit.db import own_redis_storage
from tests.kit.mocked_bot import MockedBot
from tests.kit.uow import ServiceCall, unit_of_work

# Property tests judge rules, not speed: on a shared, loaded machine Hypothesis' per-example
# deadline and its "generation is slow" check failed tests whose rules held (speed is measured
# in bench/, never asserted in a test).
hypothesis_settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("suite")

PG_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["sqlite", *(["postgres"] if PG_URL else [])]
# One schema per test process, so parallel runs on one server never see each other.
PG_SCHEMA = f"qf_test_{os.getpid()}"


def _pg_engine(**kwargs: object) -> AsyncEngine:
    assert PG_URL
    return make_engine(
        PG_URL, connect_args={"server_settings": {"search_path": PG_SCHEMA}}, **kwargs
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once; each test gets a copy (migrations are tested on their own)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def build() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    async def create() -> None:
        engine = make_engine(PG_URL or "")
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
            await conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        await engine.dispose()
        engine = _pg_engine()
        await migrate.upgrade(engine)
        await engine.dispose()

    async def drop() -> None:
        engine = make_engine(PG_URL or "")
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        await engine.dispose()

    asyncio.run(create())
    yield PG_SCHEMA
    asyncio.run(drop())


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "qingfeng.sqlite3"
        shutil.copy(template, target)
        return f"sqlite+aiosqlite:///{target}"
    request.getfixturevalue("pg_schema")
    return PG_URL or ""


@pytest.fixture
async def engine(database_url: str, backend: str) -> AsyncIterator[AsyncEngine]:
    engine = _pg_engine() if backend == "postgres" else make_engine(database_url)
    if backend == "postgres":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return make_sessionmaker(engine)


@pytest.fixture(autouse=True, scope="session")
def _button_packer() -> None:
    """Buttons services describe are packed by the handlers' callback data (as at start-up)."""
    use_button_packer(pack_button)


@pytest.fixture
def uow(sessionmaker: SessionMaker) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    """`async with uow() as session:` — one unit of work, committed at the end of the block
    (services never commit; the middleware and the job runner do in the bot)."""
    return partial(unit_of_work, sessionmaker)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str, backend: str) -> Settings:
    """Settings for tests: never read from the developer's .env or environment."""
    values: dict[str, object] = {
        "bot_token": "123456:TEST-TOKEN",
        "database_url": database_url,
        "bot_username": "qingfeng_bot",
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def call(clock: FakeClock, settings: Settings) -> ServiceCall:
    """A use case called with this test's clock and settings (see tests/kit/uow.py)."""
    return ServiceCall(clock, settings)


@pytest.fixture
async def fsm_storage(sessionmaker: SessionMaker, backend: str) -> AsyncIterator[BaseStorage]:
    """On PostgreSQL, Redis when TEST_REDIS_URL is set (as a deployment with several replicas
    runs); otherwise the database, so CI runs every flow on both storages."""
    if not REDIS_URL or backend != "postgres":
        yield SQLStorage(sessionmaker)
        return
    async with own_redis_storage(REDIS_URL) as storage:
        yield storage


@pytest.fixture
def bot() -> MockedBot:
    """A recording bot, no network (tests/dispatcher, tests/adversarial)."""
    return MockedBot()


@pytest.fixture
def dp(
    settings: Settings, sessionmaker: SessionMaker, clock: FakeClock, fsm_storage: BaseStorage
) -> Dispatcher:
    """The real dispatcher over the test database and FSM storage."""
    from bot.app.wiring import create_dispatcher  # the whole bot: only for tests that use it

    return create_dispatcher(settings, sessionmaker, clock=clock, storage=fsm_storage)


@pytest.fixture
async def fresh_storage(
    fsm_storage: BaseStorage, sessionmaker: SessionMaker
) -> AsyncIterator[BaseStorage]:
    """A second storage object over the same backend, as a restarted process would make."""
    from aiogram.fsm.storage.redis import RedisStorage

    if not isinstance(fsm_storage, RedisStorage):
        yield SQLStorage(sessionmaker)
        return
    storage = RedisStorage.from_url(REDIS_URL, key_builder=fsm_storage.key_builder)
    yield storage
    await storage.close()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The adversarial suite's counts (inputs tried, refused, tracebacks, writes, lost)."""
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: it would take (and lose) the others' counts too
    from tests.adversarial.kit import summarise

    summarise(terminalreporter)
