"""The control API: personas, chat reads with long polling, status, reset."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest
from aiogram import Bot

from tests.kit.persona import SandboxClient, SandboxError
from tests.sandbox.conftest import Sandbox


async def test_create_and_list_personas(kit: SandboxClient) -> None:
    created = await kit.request(
        "POST", "/api/personas", json={"name": "王芳", "language_code": "zh-hans"}
    )
    assert created["user_id"] == 100001 and created["chat_id"] == 100001
    second = await kit.request("POST", "/api/personas", json={"name": "Alex", "lang": "en"})
    assert second["user_id"] == 100002 and second["language_code"] == "en"
    personas = await kit.personas()
    assert [p["name"] for p in personas] == ["王芳", "Alex"]
    with pytest.raises(SandboxError, match="400"):
        await kit.request("POST", "/api/personas", json={"name": " "})
    with pytest.raises(SandboxError, match="404"):
        await kit.request("GET", "/api/personas/5")


async def test_batch_and_python_presets(sandbox: Sandbox, kit: SandboxClient) -> None:
    @dataclass(frozen=True)
    class Preset:  # shaped like bot.demo.DemoPersona
        telegram_id: int
        name: str
        language_code: str
        title: str

    sandbox.world.add_personas([Preset(100005, "王芳", "zh-hans", "staff")])
    body = {"personas": [{"user_id": 100102, "name": "Alex", "language_code": "en"}]}
    result = await kit.request("POST", "/api/personas/batch", json=body)
    assert result["personas"][0]["user_id"] == 100102
    personas = {p["user_id"]: p for p in await kit.personas()}
    assert personas[100005]["title"] == "staff"
    assert (await kit.persona("new")).user_id == 100103


async def test_chat_read_long_polls(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    staff = await kit.persona("王芳")
    seq = (await kit.status())["seq"]
    read = asyncio.create_task(
        kit.request(
            "GET", f"/api/personas/{staff.user_id}/chat", params={"after_seq": seq, "wait": 10}
        )
    )
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await bot.send_message(staff.user_id, "<i>hi</i>", parse_mode="HTML")
    view = await read
    assert time.monotonic() - started < 2
    [message] = view["messages"]
    assert message["from_bot"] is True and message["text"] == "hi"
    assert message["entities"] == [{"type": "italic", "offset": 0, "length": 2}]
    assert message["seq"] == view["seq"] and message["edited"] is False
    empty = await kit.request(
        "GET", f"/api/personas/{staff.user_id}/chat", params={"after_seq": view["seq"]}
    )
    assert empty["messages"] == []


async def test_press_unknown_message_is_404(kit: SandboxClient) -> None:
    staff = await kit.persona("A")
    with pytest.raises(SandboxError, match="404"):
        await staff.press_data(77, "x")


async def test_status_and_reset(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    status = await kit.status()
    assert status["alive"] is False and status["mode"] == "none"
    assert status["bot"]["username"] == "qingfeng_bot"
    await bot.get_updates(timeout=0)
    assert (await kit.status())["alive"] is True
    staff = await kit.persona("A")
    await bot.set_my_commands([])
    await staff.send("hello")
    await kit.set_faults(error_rate=0.5)
    update_id = sandbox.world.next_update_id
    await kit.reset()
    assert await kit.personas() == []
    assert (await kit.faults())["error_rate"] == 0.5  # configuration survives
    assert sandbox.world.next_update_id == update_id  # a running bot's offset stays valid
    assert (await kit.stats())["calls"] == {}


async def test_channel_endpoint(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    await bot.send_message("@qingfeng_public", "公示 1")
    posts = await kit.channel_posts()
    assert [p.text for p in posts] == ["公示 1"]
    waiting = asyncio.create_task(kit.expect_channel_post("公示 2", timeout=5))
    await asyncio.sleep(0.05)
    await bot.send_message("@qingfeng_public", "公示 2")
    assert (await waiting).text == "公示 2"


async def test_persona_media_endpoints(sandbox: Sandbox, kit: SandboxClient) -> None:
    staff = await kit.persona("A")
    sticker = await staff.send_sticker("🎉")
    photo = await staff.send_photo(caption="看")
    uploaded = await staff.send_photo(b"\xff\xd8\xff" + bytes(10), caption="jpeg")
    voice = await staff.send_voice(5)
    document = await staff.send_document("内容", file_name="说明.txt", caption="附件")
    assert [sticker.kind, photo.kind, uploaded.kind, voice.kind, document.kind] == [
        "sticker",
        "photo",
        "photo",
        "voice",
        "document",
    ]
    assert document.raw["document"]["file_name"] == "说明.txt"
    assert sandbox.world.files.get(document.raw["document"]["file_id"]) is not None
    assert len(sandbox.world.updates) == 5


async def test_channel_posts_edits_and_a_deep_link_button(
    sandbox: Sandbox, bot: Bot, kit: SandboxClient
) -> None:
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.sandbox import CHANNEL_ID

    citizen = await kit.persona("张大爷")
    url = f"https://t.me/{sandbox.world.bot_username}?start=fb_abc123"
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="💬 1", url=url)]])
    sent = await bot.send_message(CHANNEL_ID, "<b>卫生局</b> 1. 风险", reply_markup=markup)
    await bot.edit_message_text("🔒 closed", chat_id=CHANNEL_ID, message_id=sent.message_id)
    posts = await kit.channel_posts()
    assert [(p.text, p.edited, p.buttons) for p in posts] == [("🔒 closed", True, [])]
    opened = await citizen.open_url(url)
    assert opened.text == "/start fb_abc123" and not opened.from_bot
    with pytest.raises(SandboxError, match="400"):
        await citizen.open_url("https://t.me/some_other_bot?start=fb_abc123")
    with pytest.raises(SandboxError, match="400"):
        await citizen.open_url("https://example.com/?start=x")
