"""Shutting down lets the updates in hand finish before the bot's session closes.

aiogram neither waits for nor cancels the task of an update it is handling when it stops; a
handler cut off that way opened a fresh HTTP session for its next call, which nobody closed.
"""

from __future__ import annotations

import asyncio

from aiogram import Dispatcher, F
from aiogram.types import Message

from tests.kit.mocked_bot import MockedBot, message_update, user


async def test_shutdown_waits_for_an_update_still_being_handled(
    dp: Dispatcher, bot: MockedBot
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def slow(message: Message) -> None:
        started.set()
        await release.wait()
        finished.append(message.text or "")

    dp.message.register(slow, F.text == "/slow")
    handling = asyncio.create_task(dp.feed_update(bot, message_update(user(9301), "/slow")))
    await asyncio.wait_for(started.wait(), 10)

    shutdown = asyncio.create_task(dp.emit_shutdown(bot=bot, dispatcher=dp, **dp.workflow_data))
    await asyncio.sleep(0.2)
    assert not shutdown.done(), "shutdown went on while an update was still being handled"

    release.set()
    await asyncio.wait_for(shutdown, 10)
    assert finished == ["/slow"]
    assert handling.done()
    assert dp["in_flight"].count == 0


async def test_shutdown_with_nothing_in_hand_does_not_wait(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, message_update(user(9302), "/help"))
    assert dp["in_flight"].count == 0
    await asyncio.wait_for(dp.emit_shutdown(bot=bot, dispatcher=dp, **dp.workflow_data), 2)
