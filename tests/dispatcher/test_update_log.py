"""One structured log line per handled update, and never what the person wrote."""

from __future__ import annotations

import logging
import re

import pytest
from aiogram import Dispatcher

from bot.i18n import translate
from storage.db import SessionMaker
from tests.kit.mocked_bot import MockedBot, callback_update, message_update, user
from tests.kit.org import person_by_telegram_id

LINE = re.compile(
    r"^update type=(?P<type>\w+) handler=(?P<handler>\S+) person=(?P<person>\S+) "
    r"outcome=(?P<outcome>\w+) ms=(?P<ms>\d+\.\d)$"
)
SECRET = "我的身份证号 110101199003077777"


def update_lines(caplog: pytest.LogCaptureFixture) -> list[re.Match[str]]:
    lines = [r.getMessage() for r in caplog.records if r.name == "qingfeng.updates"]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return [m for m in matches if m]


async def test_one_line_per_update_without_the_text(
    dp: Dispatcher, bot: MockedBot, sessionmaker: SessionMaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await dp.feed_update(bot, message_update(user(9001), SECRET))
    await dp.feed_update(bot, message_update(user(9001), "/help"))

    person = await person_by_telegram_id(sessionmaker, 9001)
    assert person is not None
    first, second = update_lines(caplog)
    assert first["type"] == "message"
    assert first["handler"] == "handlers.common.fallback.outside_any_flow"
    assert first["person"] == str(person.id)
    assert first["outcome"] == "ok"
    assert second["handler"] == "handlers.common.help.show_help"
    for record in caplog.records:  # no logger at any level repeats the text
        assert "110101199003077777" not in record.getMessage()
        assert "身份证" not in record.getMessage()


async def test_callbacks_and_unhandled_updates_are_logged_too(
    dp: Dispatcher, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qingfeng.updates")
    await dp.feed_update(bot, callback_update(user(9002), "lang:en"))
    await dp.feed_update(bot, message_update(user(9002), "/help", group=True))
    callback, group = update_lines(caplog)
    assert callback["type"] == "callback_query"
    assert callback["handler"] == "handlers.common.language.choose_language"
    assert callback["outcome"] == "ok"
    assert group["outcome"] == "unhandled" and group["handler"] == "-"


async def test_a_failing_handler_is_logged_and_the_person_told_in_their_language(
    dp: Dispatcher,
    bot: MockedBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(roles: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("handlers.common.help.help_text", broken)
    caplog.set_level(logging.INFO)
    await dp.feed_update(bot, message_update(user(9003, language_code="en"), "/help"))

    assert bot.last_text(9003) == translate("errors.unexpected", "en")
    (line,) = update_lines(caplog)
    assert line["outcome"] == "error"
    errors = [r for r in caplog.records if r.name == "qingfeng.errors"]
    assert len(errors) == 1 and errors[0].levelno == logging.ERROR
    assert errors[0].exc_info is not None and "type=message" in errors[0].getMessage()
