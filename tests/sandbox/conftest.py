"""Fixtures: the sandbox on a random port, an aiogram Bot pointed at it, an echo bot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.sandbox import WORLD_KEY, World, create_sandbox_app
from tests.kit.clocks import ManualMonotonic
from tests.kit.persona import SandboxClient
from tests.sandbox.echo_bot import create_echo_dispatcher

TOKEN = "123456:TEST-token_abc"


@dataclass
class Sandbox:
    url: str
    app: web.Application
    clock: ManualMonotonic

    @property
    def world(self) -> World:
        return self.app[WORLD_KEY]


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    clock = ManualMonotonic()
    app = create_sandbox_app(TOKEN, world=World(TOKEN, "qingfeng_bot", clock=clock))
    server = TestServer(app)
    await server.start_server()
    try:
        yield Sandbox(str(server.make_url("")).rstrip("/"), app, clock)
    finally:
        await server.close()


class LocalSession(AiohttpSession):
    """aiogram's session without the 250 ms pause it makes on close for TLS connections."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(url: str, token: str = TOKEN) -> Bot:
    return Bot(token, session=LocalSession(api=TelegramAPIServer.from_base(url)))


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    bot = make_bot(sandbox.url)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
async def kit(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.url) as client:
        yield client


@pytest.fixture
async def echo_bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    """A tiny aiogram bot polling the sandbox (see echo_bot.py for what it answers)."""
    bot = make_bot(sandbox.url)
    dp = create_echo_dispatcher()
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=5, close_bot_session=True)
    )
    try:
        async with asyncio.timeout(5):
            while not sandbox.world.status()["alive"]:
                await sandbox.world.update_signal.wait(0.1)  # each getUpdates notifies
        yield bot
    finally:
        with contextlib.suppress(RuntimeError):  # polling may already have stopped
            await dp.stop_polling()
        await task
