"""The persona kit against a real aiogram bot polling the sandbox."""

from __future__ import annotations

import re

import pytest
from aiogram import Bot

from tests.kit.persona import SandboxClient
from tests.sandbox.conftest import Sandbox


async def test_send_press_expect_edit(echo_bot: Bot, kit: SandboxClient) -> None:
    staff = await kit.persona("王芳", lang="zh-hans")
    await staff.send("/start")
    hello = await staff.expect("Hello")
    assert hello.text == "Hello 王芳"
    assert hello.buttons == ["提交 Submit"]
    assert hello.callback_data_for("提交") == "submit:1"
    await staff.press("提交")  # contains
    edited = await staff.expect("已提交")
    assert edited.message_id == hello.message_id and edited.edited
    assert edited.buttons == []
    notice = await staff.expect_notice("OK")
    assert notice["show_alert"] is False
    await staff.expect_nothing(seconds=0.3)


async def test_expect_with_regex_and_media(echo_bot: Bot, kit: SandboxClient) -> None:
    staff = await kit.persona("Alex", lang="en")
    await staff.send("hello there")
    assert (await staff.expect(re.compile(r"^echo: hello"))).text == "echo: hello there"
    await staff.send_sticker()
    await staff.expect("sticker received")
    await staff.send_photo()
    await staff.expect("photo received")


async def test_alerts_and_forged_buttons(echo_bot: Bot, kit: SandboxClient) -> None:
    staff = await kit.persona("A")
    await staff.send("/alert")
    message = await staff.expect("press for an alert")
    await staff.press("Alert")
    notice = await staff.expect_notice()
    assert notice["show_alert"] is True and notice["text"] == "注意 Attention"
    await staff.press_data(message.message_id, "forged:999")
    assert (await staff.expect_notice("unknown"))["text"] == "unknown: forged:999"


async def test_failures_explain_themselves(echo_bot: Bot, kit: SandboxClient) -> None:
    staff = await kit.persona("王芳")
    await staff.send("ping")
    with pytest.raises(AssertionError) as error:
        await staff.expect("never said", timeout=0.3)
    assert "echo: ping" in str(error.value) and "→" in str(error.value)
    with pytest.raises(AssertionError, match="no button 'Nope'"):
        await staff.press("Nope")
    await staff.send("again")
    with pytest.raises(AssertionError, match="expected nothing"):
        await staff.expect_nothing(seconds=2)


async def test_adopt_existing_persona(sandbox: Sandbox, echo_bot: Bot, kit: SandboxClient) -> None:
    sandbox.world.add_persona("孙局长", user_id=100003)
    boss = await kit.persona_for(100003)
    assert boss.name == "孙局长"
    await boss.send("/start")
    await boss.expect("孙局长")
    assert "Hello" in boss.transcript()
