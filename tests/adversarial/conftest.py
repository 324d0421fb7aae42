"""The adversarial suite: the real dispatcher and a recording bot (as tests/dispatcher), and the
counts of the whole run are printed at its end by `tests/conftest.py` (`kit.summarise`)."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage

from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from tests.kit.mocked_bot import MockedBot


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def dp(
    settings: Settings, sessionmaker: SessionMaker, clock: FakeClock, fsm_storage: BaseStorage
) -> Dispatcher:
    return create_dispatcher(settings, sessionmaker, clock=clock, storage=fsm_storage)
