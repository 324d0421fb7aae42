"""The Bot session's request middleware: every sending call waits for the shared pacing budget.

Handlers' replies and the outbox sender go through the same `Bot`, so they share one budget.
A call made inside `bulk_sending()` (the outbox sender does) queues behind interactive ones.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.app.pacing import SENDING_METHODS, ChatKey, Pacer

log = logging.getLogger(__name__)

_bulk: ContextVar[bool] = ContextVar("qingfeng_bulk_sending", default=False)


@contextlib.contextmanager
def bulk_sending() -> Iterator[None]:
    """Mark the sends made in this block (this task) as bulk: they yield to replies."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def chat_key(method: TelegramMethod[Any]) -> ChatKey | None:
    """The chat a call writes to, if it names one (inline-message edits don't)."""
    chat_id = getattr(method, "chat_id", None)
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    return str(chat_id)


class PacingMiddleware(BaseRequestMiddleware):
    """Waits for the pacer before each sending call and tells it about 429s.

    An interactive call refused with 429 is retried once after the pause, when the pause is
    short (`interactive_retry_within` seconds), since a handler has no queue to fall back on;
    bulk calls are never retried here: the outbox re-queues them.
    """

    def __init__(self, pacer: Pacer, *, interactive_retry_within: float = 5.0) -> None:
        self.pacer = pacer
        self.interactive_retry_within = interactive_retry_within
        self.throttled = 0  # 429s seen, for logs and benchmarks

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__.lower() not in SENDING_METHODS:
            return await make_request(bot, method)
        chat = chat_key(method)
        bulk = _bulk.get()
        retried = False
        while True:
            await self.pacer.acquire(chat, bulk=bulk)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as e:
                self.throttled += 1
                scope = self.pacer.on_retry_after(chat, e.retry_after)
                log.warning(
                    "429 on %s to %s: retry after %ss (%s pause)",
                    method.__api_method__,
                    chat,
                    e.retry_after,
                    scope,
                )
                if bulk or retried or e.retry_after > self.interactive_retry_within:
                    raise
                retried = True


def install_pacing(bot: Bot, pacer: Pacer) -> PacingMiddleware:
    """Put the pacing middleware on `bot`'s session (once per Bot)."""
    middleware = PacingMiddleware(pacer)
    bot.session.middleware(middleware)
    return middleware
