"""Top-down (自上而下) proposals and measure reports, over real HTTP: a reviewer proposes two
risk points for a post; its holder disputes one and confirms the other; the measure later
runs overdue and is reported; a member of another unit forging the button sees nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.i18n import translate
from handlers.callbacks import MeasureCb
from storage.db import SessionMaker
from storage.models.register import ControlMeasure
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import open_risk_card, score_and_add_measure, tap, zh
from tests.kit.persona import Persona, SandboxClient
from tests.kit.uow import unit_of_work

REVIEWER, STAFF, OUTSIDER = 100004, 100005, 100010  # 周科长, 王芳 (医政科), Emily (教育局)


async def propose(reviewer: Persona, description: str) -> None:
    await reviewer.send("/propose")
    await tap(reviewer, "医政审批岗")
    await reviewer.expect(zh("propose.ask_description", post="医政审批岗"))
    await reviewer.send(description)
    await tap(reviewer, zh("register.risk_type.process"))
    await reviewer.expect(zh("propose.sent"))


async def test_proposals_disputed_and_confirmed_then_the_measure_reported(
    kit: SandboxClient, bot_running: RunningBot, clock: FakeClock, sessionmaker: SessionMaker
) -> None:
    reviewer, staff, outsider = await kit.personas_for(REVIEWER, STAFF, OUTSIDER)
    await propose(reviewer, "收受红包")
    await staff.expect("收受红包", timeout=20)  # the holder is told
    await propose(reviewer, "审批超时限")
    await staff.expect("审批超时限", timeout=20)

    # Dispute one, with a reason the reviewer hears.
    await open_risk_card(staff, "收受红包")
    await tap(staff, zh("risks.dispute"))
    await staff.expect(zh("risks.ask_dispute_reason"))
    await staff.send("本岗位不经手现金")
    await staff.expect(zh("risks.disputed"))
    await reviewer.expect("本岗位不经手现金", timeout=20)

    # Confirm the other: it becomes the post's own, graded, with a measure.
    await open_risk_card(staff, "审批超时限")
    await tap(staff, zh("risks.accept"))
    accepted = await staff.expect_message()
    assert zh("risks.assess") in accepted.buttons
    await tap(staff, zh("risks.assess"))
    await score_and_add_measure(staff, 3, "限时办结")
    await staff.send("12月31日")
    await tap(staff, zh("risks.measures_done"))
    await tap(staff, zh("risks.submit"))
    await staff.expect("#")

    # Forty days on the measure is overdue; the holder reports it done.
    clock.advance(timedelta(days=40))
    await staff.send("/measures")
    listed = await staff.expect("我负责的防控措施")
    assert any("限时办结" in b and "逾期" in b for b in listed.buttons)
    await tap(staff, "限时办结")
    card = await staff.expect(zh("measures.overdue"))
    await tap(staff, card.buttons[1])  # 报告：已完成
    await staff.send("已全部限时办结")
    await staff.expect(zh("measures.reported", action="限时办结", status=""))  # saved

    # Another unit's member forging the button to open it learns nothing.
    async with unit_of_work(sessionmaker) as session:
        measure = await session.scalar(
            select(ControlMeasure).where(ControlMeasure.action == "限时办结")
        )
        assert measure is not None and measure.status == "done"
    await outsider.send("/measures")
    own = await outsider.expect_message()
    await outsider.press_data(own.message_id, MeasureCb(action="open", id=measure.id).pack())
    notice = await outsider.expect_notice()
    assert notice["text"] == translate("register.not_found", "en")  # in her own language
