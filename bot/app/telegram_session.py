"""The HTTP session to Telegram, with the parsed-reply types built once per process.

aiogram parses every reply as `Response[method.__returning__]`, and pydantic keeps
parametrised generic models in a weak cache: nothing else holds `Response[Message]`, so the
class is collected after each call and the next call rebuilds it, schema and validator
(measured: 17 % of the bot's main-thread CPU under load). Holding each one keeps pydantic's
cache warm; there are as many as the Bot API has return types (a few dozen).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

# Return type -> its Response model, for the life of the process.
_KEPT: dict[Any, type[Response[Any]]] = {}


def response_type(returning: Any) -> type[Response[Any]]:
    """`Response[returning]`, built the first time and kept (so pydantic's cache hits)."""
    kept = _KEPT.get(returning)
    if kept is None:
        kept = _KEPT[returning] = Response[returning]
    return kept


class TelegramSession(AiohttpSession):
    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        response_type(method.__returning__)
        return super().check_response(bot, method, status_code, content)
