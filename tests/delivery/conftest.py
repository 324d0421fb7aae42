"""Fixtures: the sandbox (a fake Bot API over real HTTP), a paced Bot, the outbox sender.

Two clocks: `clock` (a FakeClock) is what the database rows are scheduled by; `mono` is the
monotonic clock of the pacer and of the sandbox's flood limiter. In the fault tests `mono` is
virtual: the pacer's waits move it instead of sleeping. The pacing tests use real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.pacing import Pacer
from bot.app.pacing_middleware import PacingMiddleware, install_pacing
from bot.app.sender import OutboxSender
from bot.domain.clock import Clock, FakeClock
from bot.sandbox import WORLD_KEY, World, create_sandbox_app
from bot.settings import Settings
from storage.db import SessionMaker, background_engine, make_sessionmaker
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from tests.kit.clocks import ManualMonotonic
from tests.kit.rows import outbox_rows

TOKEN = "123456:DELIVERY-test"


class LocalSession(AiohttpSession):
    """aiogram's session without its 250 ms pause on close (meant for TLS connections)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(url: str) -> Bot:
    return Bot(
        TOKEN,
        session=LocalSession(api=TelegramAPIServer.from_base(url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def tuned(settings: Settings, **overrides: Any) -> Settings:
    """Test settings with delivery knobs changed (validated like the real thing)."""
    return Settings.model_validate({**settings.model_dump(), **overrides})


@dataclass
class Harness:
    """One sandbox, one paced Bot, the database, both clocks."""

    url: str
    app: web.Application
    bot: Bot
    pacer: Pacer
    middleware: PacingMiddleware
    settings: Settings
    sessionmaker: SessionMaker
    clock: Clock
    mono: Callable[[], float]
    senders: list[OutboxSender] = field(default_factory=list)

    @property
    def world(self) -> World:
        return self.app[WORLD_KEY]

    def sender(self, **overrides: Any) -> OutboxSender:
        settings = tuned(self.settings, **overrides) if overrides else self.settings
        sender = OutboxSender(
            self.bot, self.sessionmaker, settings, pacer=self.pacer, clock=self.clock
        )
        self.senders.append(sender)
        return sender

    def personas(self, count: int, first: int = 100001) -> list[int]:
        return [
            self.world.add_persona(f"P{i}", "en", user_id=first + i).user_id for i in range(count)
        ]

    async def add_person(self, telegram_id: int, **values: Any) -> Person:
        async with self.sessionmaker() as session, session.begin():
            person = Person(telegram_id=telegram_id, name=f"Person {telegram_id}", **values)
            session.add(person)
        return person

    async def rows(self) -> list[OutboxMessage]:
        return await outbox_rows(self.sessionmaker)

    async def row(self, row_id: int) -> OutboxMessage:
        async with self.sessionmaker() as session:
            row = await session.get(OutboxMessage, row_id)
            assert row is not None
            return row

    def retune(self, **overrides: Any) -> None:
        """New delivery settings, and a fresh pacer from them behind the same middleware."""
        self.settings = tuned(self.settings, **overrides)
        self.pacer = Pacer.from_settings(
            self.settings, clock=self.pacer.clock, sleep=self.pacer.sleep
        )
        self.middleware.pacer = self.pacer

    def advance(self, seconds: float) -> None:
        """Move both clocks (the monotonic one only when it is virtual)."""
        assert isinstance(self.clock, FakeClock)
        self.clock.advance(timedelta(seconds=seconds))
        if isinstance(self.mono, ManualMonotonic):
            self.mono.advance(seconds)


async def _harness(
    settings: Settings,
    sessionmaker: SessionMaker,
    clock: Clock,
    mono: Callable[[], float],
    sleep: Callable[[float], Any],
) -> AsyncIterator[Harness]:
    app = create_sandbox_app(TOKEN, world=World(TOKEN, "qingfeng_bot", clock=mono))
    server = TestServer(app)
    await server.start_server()
    bot = make_bot(str(server.make_url("")).rstrip("/"))
    pacer = Pacer.from_settings(settings, clock=mono, sleep=sleep)
    middleware = install_pacing(bot, pacer)
    harness = Harness(
        str(server.make_url("")).rstrip("/"),
        app,
        bot,
        pacer,
        middleware,
        settings,
        sessionmaker,
        clock,
        mono,
    )
    try:
        yield harness
    finally:
        for sender in harness.senders:
            await sender.stop()
        await bot.session.close()
        await server.close()


@pytest.fixture
def delivery_settings(settings: Settings) -> Settings:
    return tuned(settings, delivery_concurrency=4, delivery_poll_seconds=0.05)


@pytest.fixture
async def harness(
    delivery_settings: Settings, sessionmaker: SessionMaker, clock: FakeClock
) -> AsyncIterator[Harness]:
    """Virtual monotonic time: flood limits and pacing move with `harness.advance()`."""
    mono = ManualMonotonic()
    async for h in _harness(delivery_settings, sessionmaker, clock, mono, mono.sleep):
        yield h


@pytest.fixture
async def live_harness(delivery_settings: Settings, engine: AsyncEngine) -> AsyncIterator[Harness]:
    """Real time (both clocks), for measuring pacing from the sandbox's arrival log; the
    sender on the engine the bot gives it (`background_engine`)."""
    # Whenever the test runs, it must not be night in Shanghai.
    awake = tuned(delivery_settings, quiet_hours_start="00:00", quiet_hours_end="00:00")
    async with background_engine(engine) as sending:
        sessionmaker = make_sessionmaker(sending)
        async for h in _harness(awake, sessionmaker, Clock(), time.monotonic, asyncio.sleep):
            yield h
