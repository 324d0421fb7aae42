"""The five-step grading as the people involved live it: a declaration, a colleague's
comment during social review, the window closing on schedule (the clock advanced, not slept),
graded review by the department, approval by the bureau, and the holder told at each step."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain.clock import FakeClock
from bot.scheduling.runner import JobRunner
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import (
    approve_in_inbox,
    declare_low_risk,
    declare_with_factors,
    open_inbox_kind,
    open_risk_card,
    return_in_inbox,
    score_and_add_measure,
    tap,
    zh,
)
from tests.kit.persona import SandboxClient

STAFF, COLLEAGUE = 100005, 100006  # 王芳 and 陈明, 医政科
DEPT_REVIEWER, BUREAU_REVIEWER, OTHER_REVIEWER = 100004, 100003, 100008  # 周科长, 孙局长, 吴科长


async def test_a_level_three_risk_goes_through_every_step(
    kit: SandboxClient, clock: FakeClock, runner: JobRunner
) -> None:
    staff, colleague, dept, bureau, outsider = await kit.personas_for(
        STAFF, COLLEAGUE, DEPT_REVIEWER, BUREAU_REVIEWER, OTHER_REVIEWER
    )

    risk_id = await declare_low_risk(staff, "窗口受理时优亲厚友")
    await colleague.expect("进入社会评议", timeout=20)  # the colleagues are invited

    # 社会评议: a colleague comments; the holder hears it.
    await colleague.send("/peer")
    await tap(colleague, f"#{risk_id}")
    await tap(colleague, zh("peer.btn.comment"))
    await colleague.expect(zh("peer.ask_comment"))
    await colleague.send("建议增加双人受理")
    await colleague.expect(zh("peer.done.commented"))
    await staff.expect("建议增加双人受理", timeout=20)

    # Nothing to grade yet while the window is open; another unit never sees it.
    await outsider.send("/review")
    outsider_inbox = await outsider.expect("审核待办")
    assert zh("review.kind.graded") not in " ".join(outsider_inbox.buttons)

    # The window closes on schedule: five days on, the scheduled scan moves it on.
    clock.advance(timedelta(days=5, minutes=1))
    await runner.tick()
    await dept.expect(f"#{risk_id}", timeout=20)  # "待您分级评审"

    # 分级评审 by the department, then 组织审定 by the bureau.
    await open_inbox_kind(dept, "review.kind.graded")
    card = await dept.expect("窗口受理时优亲厚友")
    assert "建议增加双人受理" in card.text  # the comment is on the card
    await tap(dept, zh("review.btn.approve"))
    await dept.expect(zh("review.done.approved"))
    await bureau.expect(f"#{risk_id}", timeout=20)  # "待您组织审定"
    await open_inbox_kind(bureau, "review.kind.approval")
    await tap(bureau, zh("review.btn.approve"))
    await bureau.expect(zh("review.done.approved"))
    approved = await staff.expect("组织审定为", timeout=20)
    assert f"#{risk_id}" in approved.text and "三级" in approved.text


async def test_the_responsible_person_is_reminded_before_and_after_a_deadline(
    kit: SandboxClient, clock: FakeClock, runner: JobRunner
) -> None:
    staff = await kit.persona_for(STAFF)
    await declare_low_risk(staff, "收费时不开票据")  # one measure, due at the end of the quarter
    await runner.tick()
    await staff.expect_nothing(seconds=1)  # a month away: no reminder yet

    clock.advance(timedelta(days=33))  # 2026-12-29, two days before the deadline
    await runner.tick()
    due = await staff.expect("办理结果每月公示", timeout=20)
    assert "2026-12-31" in due.text
    await runner.tick()  # a second run the same day sends nothing more
    await staff.expect_nothing(seconds=1)

    clock.advance(timedelta(days=3))  # past the deadline: an overdue reminder
    await runner.tick()
    overdue = await staff.expect("已超过期限", timeout=20)
    assert "办理结果每月公示" in overdue.text


async def test_a_return_loop_and_a_level_set_with_a_reason(
    kit: SandboxClient, clock: FakeClock, runner: JobRunner
) -> None:
    staff, dept, bureau = await kit.personas_for(STAFF, DEPT_REVIEWER, BUREAU_REVIEWER)
    risk_id = await declare_low_risk(staff, "档案调阅不登记")
    clock.advance(timedelta(days=5, minutes=1))
    await runner.tick()
    await dept.expect(f"#{risk_id}", timeout=20)

    # 退回: the department returns it with a comment; the holder reads it and resubmits.
    await return_in_inbox(dept, "review.kind.graded", "档案调阅不登记", "请补充调阅审批环节")
    await staff.expect("请补充调阅审批环节", timeout=20)
    await open_risk_card(staff, "档案调阅不登记")
    await tap(staff, zh("risks.resubmit"))
    await staff.expect(zh("risks.resubmitted"))

    # Back to the department, then the bureau sets 二级 instead of the suggested 三级.
    await approve_in_inbox(dept, "review.kind.graded", "档案调阅不登记")
    await open_inbox_kind(bureau, "review.kind.approval")
    await bureau.expect("档案调阅不登记")
    await tap(bureau, zh("review.btn.set_level"))
    await tap(bureau, zh("grading.level.2"))
    await bureau.expect(zh("review.ask_level_reason"))
    await bureau.send_sticker()  # not a reason: a hint, and the step stays
    await bureau.expect("请用文字")
    await bureau.send("涉及群众隐私，社会关注度高")
    decided = await bureau.expect("改定为二级")  # what was decided, below the reason
    assert "涉及群众隐私" in decided.text
    approved = await staff.expect("组织审定为", timeout=20)
    assert "二级" in approved.text


async def test_a_leadership_risk_goes_to_the_commission(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    leader = await kit.persona_for(BUREAU_REVIEWER)  # 孙局长 holds the bureau's 局长 post
    commission = await kit.persona_for(100001)
    await leader.send("/risks")
    await tap(leader, zh("risks.declare"))
    await tap(leader, zh("risks.no_power"))
    await leader.expect(zh("risks.ask_description"))
    await leader.send("干预工程招投标")
    await tap(leader, zh("register.risk_type.moral"))
    await tap(leader, zh("risks.no_focus"))
    await score_and_add_measure(leader, 5, "重大事项集体决策")
    await tap(leader, zh("risks.quick.year"))
    await tap(leader, zh("risks.measures_done"))
    await tap(leader, zh("risks.submit"))
    recorded = await leader.expect("三步")  # leadership posts: 集体议 → 自己审 → 常委定
    assert "一级" in recorded.text
    # 集体议 and 自己审 from the card.
    await leader.send("/risks")
    await tap(leader, "干预工程招投标")
    await tap(leader, zh("risks.discuss"))
    await leader.expect(zh("risks.ask_discussion_date"))
    await leader.send("11月20日")
    await leader.expect(zh("risks.ask_discussion_summary"))
    await leader.send("班子会议集体研究同意")
    await leader.expect(zh("risks.discussion_recorded"))
    await tap(leader, zh("risks.self_ok"))
    await leader.expect(zh("risks.to_committee"))
    # 常委定: the commission decides.
    await commission.expect("常委定", timeout=20)
    await approve_in_inbox(commission, "review.kind.approval", "干预工程招投标")
    approved = await leader.expect("组织审定为", timeout=20)
    assert "一级" in approved.text


async def test_a_level_one_risk_is_decided_by_the_commission_and_a_stale_card_does_nothing(
    kit: SandboxClient, clock: FakeClock, runner: JobRunner
) -> None:
    staff, commission, dept, bureau = await kit.personas_for(
        STAFF, 100001, DEPT_REVIEWER, BUREAU_REVIEWER
    )

    # A level-3 item both the department and the bureau above it may review: the bureau's
    # card goes stale when the department acts first.
    low = await declare_low_risk(staff, "借阅资料不归还")
    high = await declare_with_factors(staff, "审批中索要财物", 5)
    clock.advance(timedelta(days=5, minutes=1))
    await runner.tick()
    await open_inbox_kind(bureau, "review.kind.graded")
    stale = await bureau.expect("借阅资料不归还")
    await approve_in_inbox(dept, "review.kind.graded", "借阅资料不归还")
    await bureau.press_data(stale.message_id, stale.callback_data_for(zh("review.btn.approve")))
    refused = await bureau.expect_notice(re.compile(r"\S"))  # an alert saying why
    assert refused["show_alert"]

    # The level-1 item is routed past the unit to the commission, for both decisions.
    await commission.expect(f"#{high}", timeout=20)
    await approve_in_inbox(commission, "review.kind.graded", "审批中索要财物")
    await open_inbox_kind(commission, "review.kind.approval")
    card = await commission.expect("风险表现")
    if "审批中索要财物" not in card.text:  # the commission sees every unit's items: skip on
        await tap(commission, zh("review.btn.skip"))
        await commission.expect("审批中索要财物")
    await tap(commission, zh("review.btn.approve"))
    await commission.expect(zh("review.done.approved"))
    approved = await staff.expect(f"#{high}「审批中索要财物」已组织审定为一级", timeout=20)
    assert approved.text
    assert low != high
