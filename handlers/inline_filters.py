"""Plain (non-async) filters are run on the event loop, not in a thread.

aiogram runs a filter that is not a coroutine function (every magic filter, `F.text`, and
any lambda) through `asyncio.to_thread`, in case it blocks. Ours are attribute checks of a
few microseconds, and the hop costs far more: a thread pool submit, a wake-up of the loop
and a GIL hand-over per filter, a dozen times per update (measured: 5–8 % of the bot's CPU
under load). So each such filter is wrapped once, at wiring, in a coroutine calling it.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject


def run_filters_inline(router: Router) -> int:
    """Wrap the plain filters of `router` and every router under it; returns how many."""
    wrapped = 0
    for each in router.chain_tail:
        for observer in each.observers.values():
            # The observer's own filters (`router.message.filter(...)`) sit on `_handler`.
            handlers: list[HandlerObject] = [observer._handler, *observer.handlers]
            for handler in handlers:
                for filter_object in handler.filters or ():
                    wrapped += _inline(filter_object)
    return wrapped


def _inline(filter_object: FilterObject) -> int:
    if filter_object.awaitable:
        return 0
    plain = filter_object.callback

    async def run(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **kwargs)

    run.__wrapped__ = plain  # type: ignore[attr-defined]  # what `inspect.unwrap` finds
    # The parameters aiogram hands the filter were read off `plain` already.
    filter_object.callback = run
    filter_object.awaitable = True
    return 1
