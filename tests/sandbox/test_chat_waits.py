"""A wait on one chat wakes for that chat's changes (messages, edits, notices) only."""

from __future__ import annotations

import asyncio
import time

from bot.sandbox import World
from bot.sandbox.persist import dump_world, load_world
from tests.sandbox.conftest import TOKEN


async def test_a_wait_returns_at_its_own_chats_change_and_sleeps_through_others() -> None:
    world = World(TOKEN, "qingfeng_bot")
    wang = world.add_persona("王芳", "zh-hans")
    li = world.add_persona("李明", "zh-hans")
    after = world.seq
    waiting = asyncio.create_task(world.wait_chat(wang.user_id, after, 5.0))
    await asyncio.sleep(0.05)
    for n in range(20):  # another chat's traffic does not end the wait
        world.store_message(li.user_id, {"text": f"第{n}条"}, from_bot=True)
    await asyncio.sleep(0.05)
    assert not waiting.done()
    started = time.monotonic()
    world.store_message(wang.user_id, {"text": "你好"}, from_bot=True)
    view = await asyncio.wait_for(waiting, 1.0)
    assert time.monotonic() - started < 0.5
    assert [m["text"] for m in view["messages"]] == ["你好"]


async def test_edits_and_notices_count_as_changes_of_their_chat() -> None:
    world = World(TOKEN, "qingfeng_bot")
    wang = world.add_persona("王芳", "zh-hans")
    stored = world.store_message(wang.user_id, {"text": "草稿"}, from_bot=True)
    after = world.seq
    assert not world.has_changes(wang.user_id, after)
    world.touch(stored)
    assert world.has_changes(wang.user_id, after)
    after = world.seq
    world.add_notice(wang.user_id, {"text": "已回答"})
    assert world.has_changes(wang.user_id, after)
    assert not world.has_changes(wang.user_id, world.seq)


async def test_a_reloaded_chat_knows_its_latest_change() -> None:
    world = World(TOKEN, "qingfeng_bot")
    wang = world.add_persona("王芳", "zh-hans")
    world.store_message(wang.user_id, {"text": "你好"}, from_bot=True)
    again = World(TOKEN, "qingfeng_bot")
    load_world(again, dump_world(world))
    assert again.has_changes(wang.user_id, world.seq - 1)
    assert not again.has_changes(wang.user_id, world.seq)


async def test_closing_wakes_every_wait() -> None:
    world = World(TOKEN, "qingfeng_bot")
    wang = world.add_persona("王芳", "zh-hans")
    waiting = asyncio.create_task(world.wait_chat(wang.user_id, world.seq, 30.0))
    await asyncio.sleep(0.05)
    world.close()
    await asyncio.wait_for(waiting, 1.0)
