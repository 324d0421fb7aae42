"""End to end: the sandbox (a local Telegram over real HTTP) and the real bot polling it.

`bot_running` runs the bot in-process (fast, shares the test's fake clock and database);
`bot_process` runs `python -m bot run` as a child process, for kill-and-restart tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app.wiring import create_bot, create_dispatcher
from bot.demo import PERSONAS, seed_demo
from bot.domain.clock import FakeClock
from bot.sandbox import WORLD_KEY, World, create_sandbox_app
from bot.sandbox.bot_process import BotProcess
from bot.scheduling.runner import JobRunner
from bot.settings import PROJECT_ROOT, Settings
from storage.db import SessionMaker
from tests.kit.persona import SandboxClient

SANDBOX_USERNAME = "qingfeng_bot"

# For tests of a child bot process: they run on the SQLite file database only.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@dataclass
class Sandbox:
    url: str
    app: web.Application

    @property
    def world(self) -> World:
        return self.app[WORLD_KEY]


@pytest.fixture
async def sandbox(settings: Settings) -> AsyncIterator[Sandbox]:
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    world = World(token, SANDBOX_USERNAME)
    # Update ids grow across runs like Telegram's (the bot drops ids it already handled).
    world.next_update_id = int(time.time() * 1000)
    world.add_personas(PERSONAS)
    app = create_sandbox_app(token, SANDBOX_USERNAME, world=world)
    server = TestServer(app)
    await server.start_server()
    try:
        yield Sandbox(str(server.make_url("")).rstrip("/"), app)
    finally:
        world.closing = True
        await server.close()


@pytest.fixture
async def demo(sessionmaker: SessionMaker, clock: FakeClock) -> None:
    """The demo organisation of `make sandbox` (people bound to the sandbox's personas)."""
    await seed_demo(sessionmaker, clock)


@pytest.fixture
async def kit(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.url) as client:
        yield client


@dataclass
class RunningBot:
    """The bot polling the sandbox, and the clock, database and settings of the test it runs
    for (its own settings differ only in pointing its API at the sandbox and in pacing)."""

    bot: Bot
    dp: Dispatcher
    clock: FakeClock
    sessionmaker: SessionMaker
    settings: Settings

    def context(self) -> tuple[FakeClock, SessionMaker, Settings]:
        """`clock, sessionmaker, settings = bot_running.context()`."""
        return self.clock, self.sessionmaker, self.settings


@pytest.fixture
async def bot_running(
    sandbox: Sandbox,
    kit: SandboxClient,
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    fsm_storage: BaseStorage,
    demo: None,
) -> AsyncIterator[RunningBot]:
    """The real dispatcher polling the sandbox, in this process."""
    # The sandbox's flood limits are off here, so pacing need not slow the conversation.
    bot_settings = settings.model_copy(
        update={
            "telegram_api_base": sandbox.url,
            "delivery_chat_rate": 100.0,
            "delivery_chat_burst": 100,
            "broadcast_progress_seconds": 0.5,
        }
    )
    bot = create_bot(bot_settings)
    dp = create_dispatcher(bot_settings, sessionmaker, clock=clock, storage=fsm_storage)
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    await kit.wait_bot_alive(timeout=20)
    try:
        yield RunningBot(bot, dp, clock, sessionmaker, settings)
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 15)
        await bot.session.close()


@pytest.fixture
async def bot_process(
    sandbox: Sandbox,
    settings: Settings,
    database_url: str,
    backend: str,
    tmp_path: Path,
    demo: None,
) -> AsyncIterator[BotProcess]:
    """`python -m bot run` against the sandbox and the test's SQLite database.

    A test that uses it is parametrized with `SQLITE_ONLY` (a child process cannot join the
    test's PostgreSQL schema), so no PostgreSQL variant is collected only to be skipped.
    """
    assert backend == "sqlite", "mark the test with tests.e2e.conftest.SQLITE_ONLY"
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    process = BotProcess(
        {
            "BOT_TOKEN": token,
            "TELEGRAM_API_BASE": sandbox.url,
            "DATABASE_URL": database_url,
            "BOT_USERNAME": SANDBOX_USERNAME,
            "REDIS_URL": "",
            "WEBHOOK_URL": "",
        },
        cwd=PROJECT_ROOT,
        log_path=tmp_path / "bot.log",
    )
    try:
        yield process
    finally:
        await process.kill()


@pytest.fixture
def runner(bot_running: RunningBot) -> JobRunner:
    """The running bot's job runner: a test ticks its scheduled jobs with it."""
    return bot_running.dp["job_runner"]
