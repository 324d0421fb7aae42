"""The sandbox's chats, menus and files survive a restart (its file beside the database)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.sandbox import World
from bot.sandbox.persist import keep_chats, read_chats, write_chats
from bot.sandbox.run import chats_path
from tests.sandbox.conftest import TOKEN, Sandbox


async def test_a_restarted_sandbox_shows_the_same_chats_menus_and_files(
    sandbox: Sandbox, bot: Bot, tmp_path: Path
) -> None:
    world = sandbox.world
    wang = world.add_persona("王芳", "zh-hans")
    citizen = world.add_persona("张大爷", "zh-hans")
    world.send_text(wang.user_id, "/start")
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="提交", callback_data="x:1")]]
    )
    sent = await bot.send_message(wang.user_id, "<b>你好</b>", reply_markup=keyboard)
    await bot.edit_message_text("<b>已提交</b>", chat_id=wang.user_id, message_id=sent.message_id)
    await bot.send_document(wang.user_id, BufferedInputFile(b"a,b\n1,2\n", filename="表.csv"))
    await bot.set_my_commands(
        [BotCommand(command="risks", description="风险点")],
        scope=BotCommandScopeChat(chat_id=wang.user_id),
    )
    world.set_blocked(citizen.user_id, True)
    before = {chat_id: world.chat_view(chat_id) for chat_id in world.chats}
    path = tmp_path / "sandbox-chats.json"
    write_chats(world, path)

    again = World(TOKEN, "qingfeng_bot")
    assert read_chats(again, path)
    assert {chat_id: again.chat_view(chat_id) for chat_id in again.chats} == before
    assert again.seq == world.seq
    commands, scope, _ = again.commands_for(wang.user_id)
    assert (scope, [c["command"] for c in commands]) == ("chat", ["risks"])
    assert again.persona(wang.user_id).name == "王芳"
    assert citizen.user_id in again.blocked
    document = again.chat_view(wang.user_id)["messages"][-1]["document"]
    stored = again.files.get(document["file_id"])
    assert stored is not None and stored.data == b"a,b\n1,2\n"
    assert again.files.by_path[stored.file_path] is stored
    # The next message keeps counting from where the chat was.
    assert again.send_text(wang.user_id, "/risks").message_id == sent.message_id + 2


async def test_changes_are_written_as_they_happen_and_a_bad_file_is_set_aside(
    tmp_path: Path,
) -> None:
    world = World(TOKEN, "qingfeng_bot")
    persona = world.add_persona("周科长")
    path = tmp_path / "chats.json"
    keeper = asyncio.create_task(keep_chats(world, path))
    world.send_text(persona.user_id, "第一条")
    for _ in range(100):
        await asyncio.sleep(0.05)
        if path.exists() and "第一条" in path.read_text(encoding="utf-8"):
            break
    assert "第一条" in path.read_text(encoding="utf-8")  # written while running
    world.send_text(persona.user_id, "最后一条")
    keeper.cancel()
    await asyncio.gather(keeper, return_exceptions=True)
    assert "最后一条" in path.read_text(encoding="utf-8")  # and once more at the stop

    path.write_text("{not json", encoding="utf-8")
    fresh = World(TOKEN, "qingfeng_bot")
    assert not read_chats(fresh, path)
    assert not path.exists()
    assert path.with_suffix(".json.broken").read_text(encoding="utf-8") == "{not json"
    json.dumps(fresh.chat_view(-1001000000001))  # the fresh world still works


def test_the_chats_file_sits_beside_the_sandbox_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/sandbox.sqlite3"
    assert chats_path(url) == tmp_path / "sandbox-chats.json"
    assert chats_path("postgresql+asyncpg://u@h/db").name == "sandbox-chats.json"
