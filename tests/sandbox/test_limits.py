"""Flood limits (on a hand-moved clock) and injected faults."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.sandbox import CHANNEL_ID
from bot.sandbox.limits import FaultConfig, FaultInjector
from tests.kit.persona import SandboxClient
from tests.sandbox.conftest import TOKEN, Sandbox


async def test_private_chat_burst_then_one_a_second(
    sandbox: Sandbox, bot: Bot, kit: SandboxClient
) -> None:
    uid = sandbox.world.add_persona("A").user_id
    await kit.set_faults(flood={"enabled": True})
    for i in range(3):  # the burst
        await bot.send_message(uid, f"m{i}")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(uid, "too fast")
    assert error.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in error.value.message
    sandbox.clock.advance(error.value.retry_after)
    await bot.send_message(uid, "after waiting")
    # Edits count too.
    with pytest.raises(TelegramRetryAfter):
        await bot.edit_message_text("e", chat_id=uid, message_id=1)
    stats = await kit.stats()
    assert stats["too_many_requests"] == 2


async def test_429_shape(sandbox: Sandbox, kit: SandboxClient) -> None:
    uid = sandbox.world.add_persona("A").user_id
    await kit.set_faults(flood={"enabled": True, "private_burst": 1, "private_per_second": 0.25})
    url = f"{sandbox.url}/bot{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as http:
        await (await http.post(url, data={"chat_id": uid, "text": "1"})).read()
        async with http.post(url, data={"chat_id": uid, "text": "2"}) as resp:
            assert resp.status == 429
            assert await resp.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 4",
                "parameters": {"retry_after": 4},
            }


async def test_group_limit_is_20_a_minute(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    await kit.set_faults(flood={"enabled": True})
    for i in range(20):
        await bot.send_message(CHANNEL_ID, f"post {i}")
        sandbox.clock.advance(1)  # well under the global limit
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(CHANNEL_ID, "21st")
    assert error.value.retry_after == 40  # now t=20; the first post leaves the window at t=60
    sandbox.clock.advance(39)
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(CHANNEL_ID, "still early")
    sandbox.clock.advance(1)
    await bot.send_message(CHANNEL_ID, "on time")


async def test_global_limit_across_chats(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    world = sandbox.world
    uids = [world.add_persona(f"P{i}").user_id for i in range(31)]
    await kit.set_faults(flood={"enabled": True})
    for uid in uids[:30]:
        await bot.send_message(uid, "hi")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(uids[30], "one too many")
    sandbox.clock.advance(error.value.retry_after)
    await bot.send_message(uids[30], "now")


async def test_limits_off_by_default(sandbox: Sandbox, bot: Bot) -> None:
    uid = sandbox.world.add_persona("A").user_id
    for i in range(10):
        await bot.send_message(uid, f"m{i}")


async def test_injected_5xx_at_rate_one_and_zero(
    sandbox: Sandbox, bot: Bot, kit: SandboxClient
) -> None:
    uid = sandbox.world.add_persona("A").user_id
    await kit.set_faults(error_rate=1.0, error_statuses=[502])
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(uid, "x")
    assert await bot.get_me()  # only sending methods are hit
    assert sandbox.world.chat_view(uid)["messages"] == []  # failed before delivery
    await kit.set_faults(error_rate=0.0)
    await bot.send_message(uid, "y")
    stats = await kit.stats()
    assert stats["injected_errors"] == 1 and stats["calls"]["sendMessage"] == 1


async def test_fault_after_delivery_duplicates_on_retry(
    sandbox: Sandbox, bot: Bot, kit: SandboxClient
) -> None:
    uid = sandbox.world.add_persona("A").user_id
    await kit.set_faults(error_rate=1.0, after_delivery=True)
    with pytest.raises(TelegramServerError):
        await bot.send_message(uid, "x")
    await kit.set_faults(error_rate=0.0)
    await bot.send_message(uid, "x")
    assert [d["text"] for d in await kit.deliveries(uid)] == ["x", "x"]


async def test_dropped_connection(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    uid = sandbox.world.add_persona("A").user_id
    await kit.set_faults(drop_rate=1.0)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(uid, "x")
    await kit.set_faults(drop_rate=0.0)
    await bot.send_message(uid, "y")
    assert (await kit.stats())["dropped"] == 1


async def test_slow_answers(sandbox: Sandbox, bot: Bot, kit: SandboxClient) -> None:
    import time

    uid = sandbox.world.add_persona("A").user_id
    await kit.set_faults(slow_rate=1.0, slow_ms=150)
    started = time.monotonic()
    await bot.send_message(uid, "x")
    assert time.monotonic() - started >= 0.15
    assert (await kit.stats())["slowed"] == 1


def test_fault_decisions_are_seeded() -> None:
    def run(seed: int) -> list[bool]:
        injector = FaultInjector(FaultConfig(error_rate=0.5, seed=seed))
        return [injector.decide("sendmessage").fails for _ in range(50)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert 10 < sum(run(7)) < 40


async def test_fault_settings_are_validated(kit: SandboxClient) -> None:
    from tests.kit.persona import SandboxError

    with pytest.raises(SandboxError, match="400"):
        await kit.set_faults(error_rate=2)
    with pytest.raises(SandboxError, match="unknown setting"):
        await kit.set_faults(nonsense=1)
    faults = await kit.faults()
    assert faults["error_rate"] == 0 and faults["flood"]["enabled"] is False
