"""/broadcast as the commission uses it: audience, text, preview, confirm or cancel; the
messages reach people through the outbox, and others cannot broadcast."""

from __future__ import annotations

from sqlalchemy import update

from storage.db import SessionMaker
from storage.models.org import Person
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import start_broadcast, tap, zh
from tests.kit.persona import SandboxClient

ADMIN, REVIEWER_HEALTH, STAFF, STAFF_EN, CITIZEN = 100001, 100004, 100005, 100010, 100101
REVIEWER_FINANCE = 100008


async def test_broadcast_to_reviewers_previewed_confirmed_and_delivered(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin, reviewer, staff = await kit.personas_for(ADMIN, REVIEWER_HEALTH, STAFF)
    await start_broadcast(admin, "broadcast.audience_reviewers")
    await admin.expect(zh("broadcast.ask_text", limit=1).split("（")[0])
    await admin.send_sticker()
    await admin.expect(zh("broadcast.need_text"))
    await admin.send("请于本周五前完成风险点审核。")
    await admin.expect("请于本周五前完成风险点审核")  # exactly what recipients will read
    preview = await admin.expect("群发预览")
    assert "审核人" in preview.text and "人数：4" in preview.text  # the demo's four reviewers
    assert zh("broadcast.send") in preview.buttons
    await tap(admin, zh("broadcast.send"))
    await reviewer.expect("请于本周五前完成风险点审核", timeout=20)
    await staff.expect_nothing(seconds=1)  # staff without the reviewer role are not in it
    # Nobody taps Refresh: the progress message edits itself into the final report.
    report = await admin.expect("群发报告", timeout=30)
    assert report.message_id == preview.message_id and report.edited
    assert "已发送 4" in report.text and "失败 0" in report.text
    assert "：0 人" in report.text  # nobody unreachable
    assert report.buttons == []  # Refresh / Stop are gone once it is over


async def test_broadcast_report_counts_a_blocked_reviewer_and_unreachable_lists_them(
    kit: SandboxClient, bot_running: RunningBot, sessionmaker: SessionMaker
) -> None:
    admin, blocked = await kit.personas_for(ADMIN, REVIEWER_FINANCE)
    await blocked.block()
    await admin.send("/unreachable")
    await admin.expect(zh("unreachable.none"))
    await start_broadcast(admin, "broadcast.audience_reviewers")
    await admin.send("请核对本科室的权力清单。")
    preview = await admin.expect("群发预览")
    await tap(admin, zh("broadcast.send"))
    report = await admin.expect("群发报告", timeout=30)
    assert report.message_id == preview.message_id
    assert "已发送 3" in report.text and "失败 1" in report.text
    assert "无法送达（屏蔽或停用了机器人）：1 人" in report.text
    assert "blocked by the user：1 条" in report.text  # the reason, grouped

    await admin.send("/unreachable")
    listing = await admin.expect("无法送达的人员")
    assert "吴科长" in listing.text and "blocked by the user" in listing.text
    assert "/start" in listing.text  # how to fix it
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Person).where(Person.telegram_id == ADMIN).values(language="en")
        )
    await admin.send("/unreachable")
    listing = await admin.expect("People the bot can't reach")
    assert "吴科长" in listing.text and "send /start" in listing.text

    # Writing to the bot again makes them reachable: the list empties.
    await blocked.block(False)
    await blocked.send("/start")
    await blocked.expect_message()
    await admin.send("/unreachable")
    await admin.expect("Everyone can receive")


async def test_broadcast_cancelled_and_refused_to_others(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin, staff, citizen = await kit.personas_for(ADMIN, STAFF, CITIZEN)
    await start_broadcast(admin, "broadcast.audience_staff")
    await admin.send("这条不会发出")
    await admin.expect("群发预览")
    await tap(admin, zh("broadcast.abort"))
    await admin.expect(zh("cancel.done"))
    await staff.expect_nothing(seconds=1)
    for persona in (staff, citizen):
        await persona.send("/broadcast")
        await persona.expect("需要相应的角色")
        await persona.send("/unreachable")
        await persona.expect("/unreachable 需要相应的角色")
