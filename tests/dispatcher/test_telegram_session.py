"""The bot's HTTP session keeps each reply type, so pydantic does not rebuild it per call."""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

from aiogram.methods import GetMe, Response, SendMessage
from aiogram.types import Message, User

from bot.app.telegram_session import TelegramSession
from bot.app.wiring import create_bot
from bot.settings import Settings


def _reply_type(returning: Any) -> weakref.ref[Any]:
    """As aiogram asks for it: from inside a function (pydantic then holds it weakly)."""
    return weakref.ref(Response[returning])


def test_the_bot_talks_through_the_keeping_session() -> None:
    for base in ("", "http://127.0.0.1:8081"):
        bot = create_bot(Settings(bot_token="1:x", telegram_api_base=base, _env_file=None))
        assert isinstance(bot.session, TelegramSession)


def test_a_parsed_reply_leaves_its_type_built_for_the_next() -> None:
    bot = create_bot(Settings(bot_token="1:x", _env_file=None))
    message = {"message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "你好"}
    sent = SendMessage(chat_id=5, text="你好")
    parsed = bot.session.check_response(
        bot, sent, 200, json.dumps({"ok": True, "result": message})
    )
    assert isinstance(parsed.result, Message) and parsed.result.text == "你好"
    me = {"id": 1, "is_bot": True, "first_name": "清风"}
    answer = bot.session.check_response(bot, GetMe(), 200, json.dumps({"ok": True, "result": me}))
    assert isinstance(answer.result, User)
    kept = [_reply_type(Message), _reply_type(User)]
    gc.collect()
    assert all(each() is not None for each in kept)


def test_without_the_session_pydantic_lets_the_type_go() -> None:
    """Why the session keeps them: a type nobody holds is collected (and rebuilt next time)."""
    unkept = _reply_type(list[tuple[User, Message]])
    gc.collect()
    assert unkept() is None
