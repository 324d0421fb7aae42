"""The HTTP session to Telegram: reply types built once per process, plain forms sent plain.

aiogram parses every reply as `Response[method.__returning__]`, and pydantic keeps
parametrised generic models in a weak cache: nothing else holds `Response[Message]`, so the
class is collected after each call and the next call rebuilds it, schema and validator
(measured: 17 % of the bot's main-thread CPU under load). Holding each one keeps pydantic's
cache warm; there are as many as the Bot API has return types (a few dozen).

A request without files goes as the urlencoded form aiohttp would make of aiogram's
`FormData` anyway, but encoded directly: `FormData` builds a multipart writer (and a random
boundary) for every request before it finds there is no file to send.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError, ClientTimeout

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}

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

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # as aiogram's form: empty values are left out
                fields[key] = prepared
        if files:
            return await super().make_request(bot, method, timeout)
        # As aiogram's `AiohttpSession.make_request`, with the form encoded here.
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=urlencode(fields, doseq=True).encode(),  # as aiohttp: str enums by value
                headers=_FORM,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot, method, resp.status, raw_result)
        return cast(TelegramType, response.result)
