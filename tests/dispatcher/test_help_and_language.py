"""/help lists exactly a person's commands; /language is stored and outlives a restart."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import BotCommandScopeChat

from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.domain.commands import commands_for
from bot.domain.roles import Role
from bot.i18n import translate
from bot.settings import Settings
from storage.db import SessionMaker
from storage.fsm import SQLStorage
from tests.dispatcher.helpers import last_alert, listed_commands, menus_set
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user
from tests.kit.org import audit_count, make_person, person_by_telegram_id


@pytest.mark.parametrize(
    "roles",
    [(), (Role.STAFF,), (Role.ADMIN,), (Role.STAFF, Role.REVIEWER, Role.LEADER)],
    ids=["citizen", "staff", "admin", "staff-reviewer-leader"],
)
async def test_help_lists_exactly_the_persons_commands(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, roles: tuple[Role, ...]
) -> None:
    await make_person(sessionmaker, 7001, *roles)
    await dp.feed_update(bot, message_update(user(7001), "/help"))
    text = bot.last_text(7001)
    assert text.startswith(translate("help.title", "zh"))
    assert listed_commands(text) == [spec.name for spec in commands_for(roles)]
    for spec in commands_for(roles):
        assert f"/{spec.name} — {translate(spec.description_key, 'zh')}" in text


async def test_help_for_a_newcomer_is_the_citizens(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(7002, language_code="en"), "/help"))
    text = bot.last_text(7002)
    assert text.startswith(translate("help.title", "en"))
    assert listed_commands(text) == [
        "start", "help", "publicity", "subscribe", "track", "mine", "language", "cancel"
    ]  # fmt: skip


async def test_language_choice_is_stored_and_survives_a_restart(
    dp: Dispatcher,
    bot: MockedBot,
    sessionmaker: SessionMaker,
    settings: Settings,
    clock: FakeClock,
    fsm_storage: BaseStorage,
) -> None:
    chinese_app = user(7010, language_code="zh-hans")
    await dp.feed_update(bot, message_update(chinese_app, "/language"))
    ask = bot.sent(7010)[-1]
    assert isinstance(ask, SendMessage) and ask.text == translate("language.choose", "zh")
    assert ask.reply_markup is not None
    buttons = [b for row in ask.reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert [b.text for b in buttons] == ["中文", "English"]
    english = next(b.callback_data for b in buttons if b.text == "English")
    assert english is not None

    await dp.feed_update(bot, callback_update(chinese_app, english))

    edited = bot.sent(7010)[-1]
    assert isinstance(edited, EditMessageText)
    assert edited.text == translate("language.changed", "en")
    person = await person_by_telegram_id(sessionmaker, 7010)
    assert person is not None and person.language == "en"
    assert await audit_count(sessionmaker, "person.language") == 1
    assert menus_set(bot) == []  # a citizen keeps the default menu

    # A new process: a new dispatcher and a new storage object over the same database.
    restarted = create_dispatcher(
        settings, sessionmaker, clock=clock, storage=SQLStorage(sessionmaker)
    )
    bot.clear()
    await restarted.feed_update(bot, message_update(chinese_app, "/help"))
    assert bot.last_text(7010).startswith(translate("help.title", "en"))


async def test_staff_get_their_menu_in_the_new_language(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    await make_person(sessionmaker, 7020, Role.ADMIN, language="zh")
    await dp.feed_update(bot, callback_update(user(7020), "lang:en"))
    (menu,) = menus_set(bot)
    assert menu.scope == BotCommandScopeChat(chat_id=7020)
    assert menu.commands[0].description == translate("commands.start", "en")
    assert "invite" in [c.command for c in menu.commands]


async def test_a_forged_language_button_changes_nothing(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    await make_person(sessionmaker, 7030, language="zh")
    await dp.feed_update(bot, callback_update(user(7030), "lang:fr"))
    assert last_alert(bot) == translate("fallback.stale_button", "zh")
    person = await person_by_telegram_id(sessionmaker, 7030)
    assert person is not None and person.language == "zh"
    assert await audit_count(sessionmaker) == 0
