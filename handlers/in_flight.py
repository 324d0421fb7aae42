"""The updates this process is handling now, so that shutting down lets them finish.

aiogram runs each update as a task of its own (polling and webhook alike) and, when it stops,
neither waits for those tasks nor cancels them: the bot's HTTP session is closed under a
handler that is still working, whose next call to Telegram then opens a session nobody closes
(and whose reply may be lost). The dispatcher's shutdown waits for them, up to a bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

log = logging.getLogger(__name__)


class InFlightUpdates(BaseMiddleware):
    """The outermost update middleware: notes the task handling each update while it runs."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        task = asyncio.current_task()
        if task is None or task in self._tasks:
            return await handler(event, data)
        self._tasks.add(task)
        try:
            return await handler(event, data)
        finally:
            self._tasks.discard(task)

    @property
    def count(self) -> int:
        return len(self._tasks)

    async def finish(self, timeout: float) -> int:
        """Wait until the updates in hand are done (the caller's own task aside), at most
        `timeout` seconds; how many were still running then."""
        pending = self._tasks - {asyncio.current_task()}
        if not pending:
            return 0
        _, still = await asyncio.wait(pending, timeout=timeout)
        if still:
            log.warning("shutting down with %d update(s) still being handled", len(still))
        return len(still)
