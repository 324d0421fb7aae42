"""/start as a citizen, in the language Telegram reports."""

from __future__ import annotations

from aiogram import Dispatcher
from sqlalchemy import select

from bot.domain.commands import commands_for
from bot.i18n import translate
from storage.db import SessionMaker
from storage.models.org import Person
from tests.dispatcher.helpers import listed_commands, menus_set
from tests.kit.mocked_bot import MockedBot, message_update, user
from tests.kit.uow import unit_of_work


async def test_start_as_citizen_in_chinese(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    citizen = user(5001, language_code="zh-hans")
    await dp.feed_update(bot, message_update(citizen, "/start"))
    text = bot.last_text(5001)
    assert "清风" in text
    assert "/help" in text and "/language" in text
    assert "/invite" not in text
    async with unit_of_work(sessionmaker) as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 5001))
    assert person is not None and not person.roles


async def test_start_as_citizen_in_english(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(5002, language_code="en"), "/start"))
    assert "Qingfeng" in bot.last_text(5002)


async def test_no_language_code_means_chinese(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(5003, language_code=None), "/start"))
    assert "清风" in bot.last_text(5003)


async def test_a_redelivered_update_is_handled_once(dp: Dispatcher, bot: MockedBot) -> None:
    update = message_update(user(5004), "/start")
    await dp.feed_update(bot, update)
    await dp.feed_update(bot, update)
    assert len(bot.sent(5004)) == 1


async def test_the_citizen_welcome_lists_exactly_the_citizen_commands(
    dp: Dispatcher, bot: MockedBot
) -> None:
    await dp.feed_update(bot, message_update(user(5005, language_code="ru"), "/start"))
    text = bot.last_text(5005)
    assert text.startswith(translate("start.welcome_citizen", "en"))  # any non-zh app: English
    assert listed_commands(text) == [spec.name for spec in commands_for(())]
    assert menus_set(bot) == []  # citizens keep the default menu; no per-chat one


async def test_start_in_a_group_is_ignored(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(5006), "/start", group=True))
    assert bot.sent() == []
