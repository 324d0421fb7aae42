"""Small readers over what the mocked bot recorded."""

from __future__ import annotations

import re

from aiogram.methods import AnswerCallbackQuery, SetMyCommands

from tests.kit.mocked_bot import MockedBot

COMMAND_LINE = re.compile(r"^/(\w+) — ", re.MULTILINE)


def listed_commands(text: str) -> list[str]:
    """The commands a /help (or welcome) text lists, in order."""
    return COMMAND_LINE.findall(text)


def callback_answers(bot: MockedBot) -> list[AnswerCallbackQuery]:
    return [m for m in bot.recording.requests if isinstance(m, AnswerCallbackQuery)]


def last_alert(bot: MockedBot) -> str:
    answers = callback_answers(bot)
    assert answers, "no callback query was answered"
    return str(answers[-1].text or "")


def menus_set(bot: MockedBot) -> list[SetMyCommands]:
    return [m for m in bot.recording.requests if isinstance(m, SetMyCommands)]
