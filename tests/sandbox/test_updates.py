"""Updates: long polling, confirmation by offset, webhooks with the secret header."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.sandbox.conftest import Sandbox


async def test_long_poll_returns_when_a_persona_sends(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("王芳").user_id
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert sandbox.world.status()["alive"]
    world.send_text(uid, "/start now")
    updates = await poll
    assert time.monotonic() - started < 2
    message = updates[0].message
    assert message is not None and message.text == "/start now"
    assert message.from_user is not None and message.from_user.language_code == "zh-hans"
    assert message.entities and message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start")


async def test_offset_confirms_and_limit(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    for i in range(3):
        world.send_text(uid, f"m{i}")
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["m0", "m1"]
    again = await bot.get_updates()
    assert len(again) == 3  # not confirmed yet
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["m2"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == []


async def test_allowed_updates_filter_new_updates(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    await bot.get_updates(allowed_updates=["callback_query"], timeout=0)
    world.send_text(uid, "ignored")
    assert await bot.get_updates(timeout=0) == []


async def test_sticker_photo_voice_document_updates(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    world.send_sticker(uid, "😀")
    world.send_photo(uid, caption="看")
    world.send_voice(uid, 4)
    world.send_document(uid, b"hello", "a.txt", "text/plain", caption="doc")
    messages = [u.message for u in await bot.get_updates() if u.message]
    assert messages[0].sticker and messages[0].sticker.emoji == "😀"
    assert messages[1].photo and messages[1].caption == "看"
    assert messages[2].voice and messages[2].voice.duration == 4
    assert messages[3].document and messages[3].document.file_name == "a.txt"
    file = await bot.get_file(messages[3].document.file_id)
    assert file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"hello"


async def test_a_shared_contact_is_the_personas_own_number(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("B").user_id
    world.send_contact(uid, "+8613800001111")
    world.send_contact(uid)
    messages = [u.message for u in await bot.get_updates() if u.message]
    assert messages[0].contact and messages[0].contact.phone_number == "+8613800001111"
    assert messages[0].contact.user_id == uid and messages[0].contact.first_name == "B"
    assert messages[1].contact and messages[1].contact.phone_number.startswith("+86")


async def test_second_poller_terminates_the_first(sandbox: Sandbox, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    assert await second == []


class Receiver:
    """A tiny webhook endpoint that records what Telegram would POST."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], dict]] = []
        self.fail_next = 0
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        self.received.append((dict(request.headers), await request.json()))
        self.got.set()
        return web.json_response({})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    server = TestServer(app)
    await server.start_server()
    try:
        yield rec, str(server.make_url("/hook"))
    finally:
        await server.close()


async def test_webhook_delivery_with_secret(
    sandbox: Sandbox, bot: Bot, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    world = sandbox.world
    uid = world.add_persona("A").user_id
    assert await bot.set_webhook(url, secret_token="s3cret-Token_1")
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    world.send_text(uid, "via webhook")
    await asyncio.wait_for(rec.got.wait(), 5)
    headers, body = rec.received[0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret-Token_1"
    assert body["message"]["text"] == "via webhook"
    assert world.status()["mode"] == "webhook" and world.status()["alive"]
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_webhook_retries_after_failure(
    sandbox: Sandbox, bot: Bot, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    rec.fail_next = 2
    world = sandbox.world
    uid = world.add_persona("A").user_id
    await bot.set_webhook(url)
    world.send_text(uid, "eventually")
    await asyncio.wait_for(rec.got.wait(), 5)
    assert rec.received[0][1]["message"]["text"] == "eventually"
    assert "X-Telegram-Bot-Api-Secret-Token" not in rec.received[0][0]
    assert world.counters.webhook_failures == 2
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_webhook_reply_method_is_executed(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id

    async def answer(request: web.Request) -> web.Response:
        update = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "pong"})

    app = web.Application()
    app.router.add_post("/hook", answer)
    server = TestServer(app)
    await server.start_server()
    try:
        await bot.set_webhook(str(server.make_url("/hook")))
        seq = world.seq
        world.send_text(uid, "ping")
        view = await world.wait_chat(uid, seq + 1, 5)
        assert [m["text"] for m in view["messages"]] == ["pong"]
    finally:
        await bot.delete_webhook()
        await server.close()


async def test_delete_webhook_drops_pending(sandbox: Sandbox, bot: Bot) -> None:
    world = sandbox.world
    uid = world.add_persona("A").user_id
    world.send_text(uid, "old")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == []
