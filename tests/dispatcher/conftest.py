"""Fixtures of the dispatcher tests; each test file brings its own `org`."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher

from bot.domain.clock import FakeClock
from bot.settings import Settings
from storage.db import SessionMaker
from tests.dispatcher.helpers import Flow
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import People


@pytest.fixture
def flow(
    dp: Dispatcher,
    bot: MockedBot,
    org: People,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
) -> Flow:
    return Flow(dp, bot, org, sessionmaker, clock, settings)
