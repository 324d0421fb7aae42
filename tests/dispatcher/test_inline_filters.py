"""Plain filters (magic filters, lambdas) run on the event loop, not in a worker thread."""

from __future__ import annotations

import threading

from aiogram import F, Router
from aiogram.types import Message

from handlers.inline_filters import run_filters_inline
from handlers.setup import build_router


def test_every_filter_of_the_router_tree_is_awaited_on_the_loop() -> None:
    tree = build_router()
    filters = [
        each
        for router in tree.chain_tail
        for observer in router.observers.values()
        for handler in (observer._handler, *observer.handlers)
        for each in handler.filters or ()
    ]
    assert filters and all(each.awaitable for each in filters)
    assert run_filters_inline(tree) == 0  # nothing left to wrap


async def test_a_wrapped_filter_still_decides_and_runs_in_the_loops_thread() -> None:
    seen: list[str] = []

    def plain(message: Message) -> bool:
        seen.append(threading.current_thread().name)
        return message.text == "/risks"

    router = Router()
    router.message.filter(plain)
    router.message.register(lambda message: None, F.text.startswith("/"))
    assert run_filters_inline(router) == 2
    check = router.message._handler.filters[0]
    assert await check.call(Message.model_validate(_message("/risks"))) is True
    assert await check.call(Message.model_validate(_message("你好"))) is False
    magic = router.message.handlers[0].filters[0]
    assert await magic.call(Message.model_validate(_message("/help")))
    assert not await magic.call(Message.model_validate(_message("帮助")))
    assert seen == [threading.current_thread().name] * 2


def _message(text: str) -> dict[str, object]:
    return {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": text}
