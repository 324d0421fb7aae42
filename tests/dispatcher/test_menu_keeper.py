"""A person's own command menu is set the first time the bot sees them (an imported person who
never sent /start, a sandbox that lost its chats), and again when their roles change."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.methods import DeleteMyCommands
from aiogram.types import BotCommandScopeChat
from sqlalchemy import select

from bot.domain.commands import commands_for
from bot.domain.roles import Role
from bot.services.people import grant
from storage.db import SessionMaker
from storage.models.org import Person
from tests.dispatcher.helpers import menus_set
from tests.kit.mocked_bot import MockedBot, message_update, user
from tests.kit.org import make_person
from tests.kit.uow import unit_of_work


async def test_a_person_with_roles_gets_their_menu_without_start_and_again_on_a_change(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    await make_person(sessionmaker, 7040, Role.STAFF)
    await dp.feed_update(bot, message_update(user(7040), "/help"))
    (menu,) = menus_set(bot)
    assert menu.scope == BotCommandScopeChat(chat_id=7040)
    assert [c.command for c in menu.commands] == [s.name for s in commands_for({Role.STAFF})]

    bot.clear()
    await dp.feed_update(bot, message_update(user(7040), "/help"))
    assert menus_set(bot) == []  # once per person, not per update

    async with unit_of_work(sessionmaker) as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 7040))
        assert person is not None
        grant(person, Role.REVIEWER, None)
        await session.commit()
    await dp.feed_update(bot, message_update(user(7040), "/help"))
    (menu,) = menus_set(bot)
    expected = [s.name for s in commands_for({Role.STAFF, Role.REVIEWER})]
    assert [c.command for c in menu.commands] == expected


async def test_a_citizen_keeps_the_default_menu_and_a_start_sets_it_once(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    await dp.feed_update(bot, message_update(user(7041), "/help"))
    assert menus_set(bot) == []
    assert not [m for m in bot.recording.requests if isinstance(m, DeleteMyCommands)]

    await make_person(sessionmaker, 7042, Role.ADMIN)
    await dp.feed_update(bot, message_update(user(7042), "/start"))
    assert len(menus_set(bot)) == 1  # /start set it; nothing set it twice


async def test_a_second_start_keeps_the_menu_this_process_set_and_a_new_process_sets_it(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    await make_person(sessionmaker, 7043, Role.STAFF)
    await dp.feed_update(bot, message_update(user(7043), "/start"))
    assert len(menus_set(bot)) == 1

    bot.clear()
    await dp.feed_update(bot, message_update(user(7043), "/start"))  # "home", again
    assert menus_set(bot) == []
    assert "/risks" in bot.last_text(7043)  # the welcome and the help still come

    restarted = MockedBot()  # another process knows no menus: its /start sets it
    await dp.feed_update(restarted, message_update(user(7043), "/start"))
    (menu,) = menus_set(restarted)
    assert [c.command for c in menu.commands] == [s.name for s in commands_for({Role.STAFF})]
