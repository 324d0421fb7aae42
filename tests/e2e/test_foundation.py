"""The foundation as people meet it: several personas over real HTTP, both languages."""

from __future__ import annotations

import re
import socket

from bot.sandbox.bot_process import BotProcess
from tests.e2e.conftest import SQLITE_ONLY, RunningBot
from tests.kit.persona import Persona, SandboxClient

ADMIN, REVIEWER, STAFF, STAFF_EN, CITIZEN_ZH, CITIZEN_EN = (
    100001,
    100004,
    100005,
    100010,
    100101,
    100102,
)


async def invite_up_to_the_name(admin: Persona) -> None:
    """/invite → 医政科 → 医政审批岗 → roles (staff) → the name question."""
    await admin.send("/invite")
    await admin.expect("请选择单位")
    await admin.press("长安区/卫生局/医政科")
    await admin.expect("请选择岗位")
    await admin.press("医政审批岗")
    await admin.expect("请选择角色")
    await admin.press("完成")
    await admin.expect("姓名")


async def test_citizens_and_staff_at_once_each_in_their_language(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    citizen_zh, citizen_en, staff, admin = await kit.personas_for(
        CITIZEN_ZH, CITIZEN_EN, STAFF, ADMIN
    )
    for persona in (citizen_zh, citizen_en, staff, admin):
        await persona.send("/start")
    welcome = await citizen_zh.expect("清风")
    assert "/language" in welcome.text and "/invite" not in welcome.text
    assert "/powers" not in welcome.text
    assert "Qingfeng" in (await citizen_en.expect("Hello")).text
    staff_help = await staff.expect("王芳")
    assert "/powers" in staff_help.text and "/invite" not in staff_help.text
    assert "/invite" in (await admin.expect("李纪委")).text
    # The menu Telegram shows is each person's own.
    assert "invite" in [c["command"] for c in await admin.commands()]
    assert "invite" not in [c["command"] for c in await staff.commands()]
    assert "powers" not in [c["command"] for c in await citizen_zh.commands()]


async def test_a_second_start_welcomes_back_and_keeps_each_persons_menu_in_their_language(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    staff, staff_en = await kit.personas_for(STAFF, STAFF_EN)
    for persona in (staff, staff_en):
        await persona.send("/start")
        await persona.expect("/risks")
        await persona.send("/start")  # "home" again: this process set their menu already
    assert "欢迎回来" in (await staff.expect("欢迎回来")).text
    assert "Welcome back" in (await staff_en.expect("Welcome back")).text
    menus = {
        p: {c["command"]: c["description"] for c in await p.commands()} for p in (staff, staff_en)
    }
    assert menus[staff]["risks"] == "本岗位廉政风险点"
    assert menus[staff_en]["risks"] == "Risk points of my post"
    assert "invite" not in menus[staff] and "invite" not in menus[staff_en]


async def test_an_invitation_from_the_admin_binds_a_newcomer(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin = await kit.persona_for(ADMIN)
    await invite_up_to_the_name(admin)
    await admin.send("林晓")
    await admin.expect("请确认")
    await admin.press("生成邀请")
    created = await admin.expect("t.me/")
    code = re.search(r"start=([A-Za-z0-9_-]+)", created.text)
    assert code is not None

    newcomer = await kit.persona("林晓", lang="zh-hans")
    await newcomer.send(f"/start {code.group(1)}")
    greeting = await newcomer.expect("您已加入")
    assert "医政科" in greeting.text and "/powers" in greeting.text
    assert "powers" in [c["command"] for c in await newcomer.commands()]

    stranger = await kit.persona("Mallory", lang="en")
    await stranger.send(f"/start {code.group(1)}")
    await stranger.expect("already been used")
    await stranger.send("/start not-a-real-code")
    await stranger.expect("not valid")
    await stranger.send("/powers")
    await stranger.expect("needs a role")


async def test_language_switch_sticks(kit: SandboxClient, bot_running: RunningBot) -> None:
    citizen = await kit.persona_for(CITIZEN_ZH)
    await citizen.send("/language")
    await citizen.expect("请选择语言")
    await citizen.press("English")
    await citizen.expect("Language set to English")
    await citizen.send("/help")
    await citizen.expect("What you can do")
    await citizen.send("/language")
    await citizen.expect("Choose your language")
    await citizen.press("中文")
    await citizen.expect("已切换为中文")
    await citizen.send("/help")
    await citizen.expect("您可以使用")


async def test_cancel_unknown_text_and_wrong_types(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin, citizen = await kit.personas_for(ADMIN, CITIZEN_EN)
    await invite_up_to_the_name(admin)
    await admin.send_sticker()
    await admin.expect("请按上面的提示回答")
    await admin.send("/cancel")
    await admin.expect("已取消")
    await admin.send("/cancel")
    await admin.expect("没有进行中的操作")
    await citizen.send("hello there")
    await citizen.expect("did not understand")
    await citizen.send_sticker()
    await citizen.expect("did not understand")
    await citizen.send("/invite")
    await citizen.expect("needs a role")


@SQLITE_ONLY
async def test_a_conversation_survives_killing_the_bot(
    kit: SandboxClient, bot_process: BotProcess
) -> None:
    await bot_process.start()
    await kit.wait_bot_alive(timeout=60)
    admin = await kit.persona_for(ADMIN)
    await admin.send("/invite")
    await admin.expect("请选择单位", timeout=30)
    await admin.press("长安区/卫生局/医政科")
    await admin.expect("请选择岗位", timeout=30)

    await bot_process.kill()  # SIGKILL: no goodbye, nothing flushed on the way out
    await bot_process.start()
    await kit.wait_bot_alive(timeout=60)

    await admin.press("医政审批岗")
    await admin.expect("请选择角色", timeout=30)
    await admin.press("完成")
    await admin.expect("姓名", timeout=30)
    await admin.send("何平")
    await admin.expect("请确认", timeout=30)
    await admin.press("生成邀请")
    await admin.expect("t.me/", timeout=30)


@SQLITE_ONLY
async def test_webhook_mode_answers_through_the_sandbox(
    kit: SandboxClient, bot_process: BotProcess
) -> None:
    """`run` with WEBHOOK_URL set: the bot registers the URL with a secret and is called."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot_process.env.update(
        {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": "s3cret-token",
        }
    )
    await bot_process.start()
    status = await kit.wait_bot_alive(timeout=60)
    assert status["mode"] == "webhook"
    citizen = await kit.persona_for(CITIZEN_EN)
    await citizen.send("/start")
    await citizen.expect("Qingfeng", timeout=30)
