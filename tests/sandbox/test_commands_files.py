"""Command menus by scope and language; photo and document uploads, file_id re-use, download."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BufferedInputFile,
)

from bot.sandbox.files import tiny_png
from tests.kit.persona import SandboxClient
from tests.sandbox.conftest import Sandbox


def cmds(*names: str) -> list[BotCommand]:
    return [BotCommand(command=n, description=f"{n} description") for n in names]


async def test_command_scope_resolution(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    zh = await kit.persona("王芳", lang="zh-hans")
    en = await kit.persona("Emily", lang="en")
    admin = await kit.persona("李纪委", lang="zh-hans")
    assert await zh.commands() == []

    await bot.set_my_commands(cmds("start"))
    assert [c["command"] for c in await en.commands()] == ["start"]

    await bot.set_my_commands(cmds("start", "help"), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(
        cmds("start", "bangzhu"),
        scope=BotCommandScopeAllPrivateChats(),
        language_code="zh",
    )
    await bot.set_my_commands(cmds("groups"), scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        cmds("start", "admin"), scope=BotCommandScopeChat(chat_id=admin.user_id)
    )
    assert [c["command"] for c in await en.commands()] == ["start", "help"]
    assert [c["command"] for c in await zh.commands()] == ["start", "bangzhu"]
    menu = await kit.request("GET", f"/api/personas/{zh.user_id}/commands")
    assert menu["scope"] == "all_private_chats" and menu["language_code"] == "zh"
    assert [c["command"] for c in await admin.commands()] == ["start", "admin"]

    got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in got] == ["start", "help"]
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=admin.user_id))
    # Without its chat menu the admin sees the zh private-chat menu.
    assert [c["command"] for c in await admin.commands()] == ["start", "bangzhu"]


async def test_command_validation(sandbox: Sandbox, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    with pytest.raises(TelegramBadRequest, match="invalid language code"):
        await bot.set_my_commands(cmds("start"), language_code="zh-hans")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_my_commands(cmds("start"), scope=BotCommandScopeChat(chat_id=5))


async def test_photo_upload_reuse_and_download(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("A").user_id
    picture = tiny_png(40, 30)
    sent = await bot.send_photo(
        uid,
        BufferedInputFile(picture, "chart.png"),
        caption="<b>图表</b>",
        parse_mode="HTML",
    )
    assert sent.photo and sent.photo[-1].width == 40 and sent.photo[-1].height == 30
    assert sent.caption == "图表" and sent.caption_entities
    file_id = sent.photo[-1].file_id
    again = await bot.send_photo(uid, file_id)
    assert again.photo and again.photo[-1].file_unique_id == sent.photo[-1].file_unique_id
    file = await bot.get_file(file_id)
    assert file.file_path and file.file_size == len(picture)
    data = await bot.download_file(file.file_path)
    assert data is not None and data.read() == picture
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(uid, "no-such-file")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_photo(uid, file_id, caption="<x>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(uid, file_id, caption="c" * 1025)


async def test_document_upload_reuse_and_page_url(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("A").user_id
    content = "单位,风险点\n卫生局,3\n".encode()
    sent = await bot.send_document(uid, BufferedInputFile(content, "报表.csv"), caption="报表")
    assert sent.document and sent.document.file_name == "报表.csv"
    assert sent.document.mime_type == "text/csv"
    again = await bot.send_document(uid, sent.document.file_id)
    assert again.document and again.document.file_id == sent.document.file_id
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(uid, sent.document.file_id)
    view = sandbox.world.chat_view(uid)["messages"][0]
    assert view["kind"] == "document" and view["text"] == "报表"
    async with (
        aiohttp.ClientSession() as http,
        http.get(sandbox.url + view["document"]["url"]) as r,
    ):
        assert await r.read() == content
        assert "attachment" in r.headers["Content-Disposition"]
