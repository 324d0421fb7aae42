"""What dispatcher tests do and read: a person says or presses something, and small readers
over what the mocked bot recorded."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery, SetMyCommands
from aiogram.types import InlineKeyboardMarkup

from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.settings import Settings
from storage.db import SessionMaker
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user
from tests.kit.register import People

COMMAND_LINE = re.compile(r"^/(\w+) — ", re.MULTILINE)


def listed_commands(text: str) -> list[str]:
    """The commands a /help (or welcome) text lists, in order."""
    return COMMAND_LINE.findall(text)


def buttons(markup: object) -> dict[str, str]:
    """Button text → callback data of an inline keyboard."""
    assert isinstance(markup, InlineKeyboardMarkup), markup
    return {b.text: str(b.callback_data) for row in markup.inline_keyboard for b in row}


def callback_answers(bot: MockedBot) -> list[AnswerCallbackQuery]:
    return [m for m in bot.recording.requests if isinstance(m, AnswerCallbackQuery)]


def last_alert(bot: MockedBot) -> str:
    answers = callback_answers(bot)
    assert answers, "no callback query was answered"
    return str(answers[-1].text or "")


def menus_set(bot: MockedBot) -> list[SetMyCommands]:
    return [m for m in bot.recording.requests if isinstance(m, SetMyCommands)]


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


async def say(
    dp: Dispatcher, bot: MockedBot, telegram_id: int, text: str | None, **kw: Any
) -> None:
    """A message from `telegram_id` (text, or what `message_update` takes in `kw`)."""
    await dp.feed_update(bot, message_update(user(telegram_id), text, **kw))


async def press(dp: Dispatcher, bot: MockedBot, telegram_id: int, data: str) -> None:
    """`telegram_id` presses the button carrying `data`."""
    await dp.feed_update(bot, callback_update(user(telegram_id), data))


class Flow(NamedTuple):
    """What every flow here works with: the dispatcher and its bot, the organisation, the
    database, the clock and the settings."""

    dp: Dispatcher
    bot: MockedBot
    org: People
    sessionmaker: SessionMaker
    clock: FakeClock
    settings: Settings
