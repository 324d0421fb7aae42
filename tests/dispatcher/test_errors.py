"""The error handler: one clear message for every refusal, whatever state the button is in."""

from __future__ import annotations

from aiogram import Dispatcher, F
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, Chat, InaccessibleMessage, Update

from bot.domain.errors import ServiceError
from bot.domain.roles import Role
from bot.i18n import translate
from handlers.callbacks import ListName, PageCb
from storage.db import SessionMaker
from tests.dispatcher.helpers import last_alert
from tests.kit.mocked_bot import MockedBot, callback_update, user
from tests.kit.org import make_person

LATE = 9101


async def _answer_then_refuse(query: CallbackQuery) -> None:
    await query.answer()
    raise ServiceError("register.measures_too_many", limit=10)


async def test_a_refusal_after_the_button_was_answered_arrives_as_a_message(
    dp: Dispatcher, bot: MockedBot
) -> None:
    # Checked before the router tree: the dispatcher's own handlers come first.
    dp.callback_query.register(_answer_then_refuse, F.data == "late:refusal")
    await dp.feed_update(bot, callback_update(user(LATE), "late:refusal"))
    refusal = translate("register.measures_too_many", "zh", limit=10)
    # Telegram takes one answer per press: the alert is refused, so the chat gets the words.
    assert [type(m) for m in bot.recording.refused] == [AnswerCallbackQuery]
    sent = bot.sent(LATE)
    assert len(sent) == 1 and isinstance(sent[0], SendMessage)
    assert sent[0].text == refusal


async def test_a_refusal_on_a_fresh_button_is_an_alert(dp: Dispatcher, bot: MockedBot) -> None:
    dp.callback_query.register(_refuse, F.data == "fresh:refusal")
    await dp.feed_update(bot, callback_update(user(LATE), "fresh:refusal"))
    assert last_alert(bot) == translate("register.measures_too_many", "zh", limit=10)
    assert bot.sent(LATE) == [] and bot.recording.refused == []


async def _refuse(query: CallbackQuery) -> None:
    raise ServiceError("register.measures_too_many", limit=10)


async def test_a_page_button_on_a_message_too_old_to_edit_is_stale(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker
) -> None:
    await make_person(sessionmaker, 9102, Role.STAFF)
    old = Update(
        update_id=990_001,
        callback_query=CallbackQuery(
            id="old-press",
            from_user=user(9102),
            chat_instance="ci",
            data=PageCb(list=ListName.MEASURES, offset=8).pack(),
            message=InaccessibleMessage(
                chat=Chat(id=9102, type="private"),
                message_id=5,
                date=0,
            ),
        ),
    )
    await dp.feed_update(bot, old)
    # The page was rendered and the press answered before the message turned out gone: the
    # refusal arrives as the one message, and nothing is edited.
    sent = bot.sent(9102)
    assert len(sent) == 1 and isinstance(sent[0], SendMessage)
    assert sent[0].text == translate("fallback.stale_button", "zh")
