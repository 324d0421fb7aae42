"""/broadcast as the commission uses it: audience, text, preview, confirm or cancel; the
messages reach people through the outbox, and others cannot broadcast."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap, zh
from tests.kit.persona import SandboxClient

ADMIN, REVIEWER_HEALTH, STAFF, STAFF_EN, CITIZEN = 100001, 100004, 100005, 100010, 100101


async def test_broadcast_to_reviewers_previewed_confirmed_and_delivered(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin = await kit.persona_for(ADMIN)
    reviewer = await kit.persona_for(REVIEWER_HEALTH)
    staff = await kit.persona_for(STAFF)
    await admin.send("/broadcast")
    await tap(admin, zh("broadcast.audience_reviewers"))
    await tap(admin, zh("broadcast.all_units"))
    await admin.expect(zh("broadcast.ask_text", limit=1).split("（")[0])
    await admin.send_sticker()
    await admin.expect(zh("broadcast.need_text"))
    await admin.send("请于本周五前完成风险点审核。")
    await admin.expect("请于本周五前完成风险点审核")  # exactly what recipients will read
    preview = await admin.expect("群发预览")
    assert "审核人" in preview.text and "人数：4" in preview.text  # the demo's four reviewers
    assert zh("broadcast.send") in preview.buttons
    await tap(admin, zh("broadcast.send"))
    await admin.expect("共 4 人")
    await reviewer.expect("请于本周五前完成风险点审核", timeout=20)
    await staff.expect_nothing(seconds=1)  # staff without the reviewer role are not in it

    async def progress_says_all_sent() -> bool:
        return any("已发送 4" in m.text for m in await admin.messages() if m.from_bot)

    for _ in range(40):  # the progress card refreshes on a tap until all four went out
        if await progress_says_all_sent():
            break
        await tap(admin, zh("broadcast.refresh"))
        await asyncio.sleep(0.5)
    assert await progress_says_all_sent()


async def test_broadcast_cancelled_and_refused_to_others(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin = await kit.persona_for(ADMIN)
    staff = await kit.persona_for(STAFF)
    citizen = await kit.persona_for(CITIZEN)
    await admin.send("/broadcast")
    await tap(admin, zh("broadcast.audience_staff"))
    await tap(admin, zh("broadcast.all_units"))
    await admin.send("这条不会发出")
    await admin.expect("群发预览")
    await tap(admin, zh("broadcast.abort"))
    await admin.expect(zh("cancel.done"))
    await staff.expect_nothing(seconds=1)
    for persona in (staff, citizen):
        await persona.send("/broadcast")
        await persona.expect("需要相应的角色")
