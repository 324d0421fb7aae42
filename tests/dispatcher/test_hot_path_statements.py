"""The hot paths' cost in SQL: a plain command is one connection and at most four statements.

Counted (SQLAlchemy's `before_cursor_execute`, pool checkouts), never timed: the person, their
roles, unit, post and conversation state come in one statement, the page in one, the update id
goes in with the commit. Figures per update kind are printed by `make bench-updates`.
"""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText

from bot.domain.clock import FakeClock
from handlers.callbacks import ListName, PageCb
from storage.db import SessionMaker, StatementCount, counting_statements
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user
from tests.kit.register import make_people

MAX_STATEMENTS = 4


async def _cost(dp: Dispatcher, bot: MockedBot, update: object) -> StatementCount:
    with counting_statements() as count:
        await dp.feed_update(bot, update)  # type: ignore[arg-type]
    return count


async def test_plain_commands_take_one_connection_and_few_statements(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    people = await make_people(sessionmaker, clock)
    staff = user(people.staff)
    page = PageCb(list=ListName.RISKS, offset=0).pack()
    steps = {
        "/start": lambda: message_update(staff, "/start"),
        "/help": lambda: message_update(staff, "/help"),
        "/risks": lambda: message_update(staff, "/risks"),
        "page": lambda: callback_update(staff, page),
    }
    for make in steps.values():  # first contact with each screen (menus set, and so on)
        await dp.feed_update(bot, make())
    costs = {name: await _cost(dp, bot, make()) for name, make in steps.items()}

    for name, cost in costs.items():
        assert cost.connections == 1, (name, cost)
        assert 2 <= cost.statements <= MAX_STATEMENTS, (name, cost)
    assert bot.sent(people.staff), "the commands were answered"
    assert any(isinstance(m, EditMessageText) for m in bot.recording.requests)
    assert any(isinstance(m, AnswerCallbackQuery) for m in bot.recording.requests)


async def test_a_redelivered_update_is_dropped_in_the_same_transaction(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    people = await make_people(sessionmaker, clock)
    update = message_update(user(people.staff), "/help")
    await dp.feed_update(bot, update)
    answered = len(bot.sent(people.staff))
    await dp.feed_update(bot, update)  # Telegram sends the same update again
    assert len(bot.sent(people.staff)) == answered
