"""Dispatcher-level fixtures: the real dispatcher, a recording bot, no network."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage

from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from storage.fsm import SQLStorage
from tests.conftest import REDIS_URL
from tests.kit.mocked_bot import MockedBot


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def dp(
    settings: Settings, sessionmaker: SessionMaker, clock: FakeClock, fsm_storage: BaseStorage
) -> Dispatcher:
    return create_dispatcher(settings, sessionmaker, clock=clock, storage=fsm_storage)


@pytest.fixture
async def fresh_storage(
    fsm_storage: BaseStorage, sessionmaker: SessionMaker
) -> AsyncIterator[BaseStorage]:
    """A second storage object over the same backend, as a restarted process would make."""
    if not REDIS_URL:
        yield SQLStorage(sessionmaker)
        return
    from aiogram.fsm.storage.redis import RedisStorage

    assert isinstance(fsm_storage, RedisStorage)
    storage = RedisStorage.from_url(REDIS_URL, key_builder=fsm_storage.key_builder)
    yield storage
    await storage.close()
