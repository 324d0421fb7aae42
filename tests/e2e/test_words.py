"""What people read, as they read it (issue 13): words instead of codes, times in TIMEZONE, each
decision said where it is taken, and a wait that says how long it lasts.

Every test goes through the sandbox with personas pressing real buttons."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.domain.clock import FakeClock
from bot.i18n import translate
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import (
    declare,
    declare_low_risk,
    open_inbox_kind,
    return_in_inbox,
    tap,
    zh,
)
from tests.kit.persona import SandboxClient

ADMIN, STAFF, COLLEAGUE, DEPT = 100001, 100005, 100006, 100004  # 李纪委, 王芳, 陈明, 周科长
IDENTIFIER = re.compile(r"\b[a-z]+[._][a-z_]+\b")
# 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Asia/Shanghai (the configured TIMEZONE).
EVENING_UTC = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
MORNING_UTC = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, out of quiet hours


def no_codes(text: str) -> None:
    """Nothing that reads like an identifier (risk.declare, skip_social, process …)."""
    assert not IDENTIFIER.search(text), text
    for code in ("process", "duty", "moral", "social_review", "graded_review"):
        assert code not in text, text


async def test_peer_card_and_history_speak_words_in_local_time(
    kit: SandboxClient, bot_running: RunningBot, clock: FakeClock
) -> None:
    clock.set(EVENING_UTC)
    staff, colleague = await kit.personas_for(STAFF, COLLEAGUE)
    risk_id = await declare_low_risk(
        staff, "现场核验时接受宴请并在验收报告中隐瞒发现的质量问题和安全隐患"
    )
    clock.advance(timedelta(hours=8))  # the morning after, out of quiet hours

    await colleague.send("/peer")
    listing = await colleague.expect(zh("peer.title", n=1))
    (label,) = [b for b in listing.buttons if b.startswith(f"#{risk_id} ")]
    assert label.startswith(f"#{risk_id} 现场核验时接受宴请") and label.endswith("…")
    assert len(label) <= 30
    await tap(colleague, label)
    card = await colleague.expect("现场核验时接受宴请")
    assert "风险类型：业务流程" in card.text
    assert card.text.count(zh("grading.factor.likelihood")) == 1  # the factors once
    no_codes(card.text)

    await tap(colleague, zh("peer.btn.agree"))
    await colleague.expect(zh("peer.done.agreed"))
    await tap(colleague, label)
    card = await colleague.expect("现场核验时接受宴请")
    # An agreement has no text: no colon with nothing after it.
    assert "· 同意 陈明\n" in card.text + "\n" and "陈明：" not in card.text

    await colleague.send(f"/history {risk_id}")
    history = await colleague.expect(f"风险点 #{risk_id} 的全程记录")
    for key in ("history.action.declare", "history.action.open_social", "history.action.agree"):
        assert zh(key) in history.text
    assert "2026-03-02 01:30" in history.text and "17:30" not in history.text
    assert zh("history.by_system") in history.text  # the window opened by itself
    # Each step, then the state it led to after an arrow ("岗位排查登记 → 草稿"), not run on.
    declared = next(
        line for line in history.text.splitlines() if zh("history.action.declare") in line
    )
    assert f"{zh('history.action.declare')} → " in declared, declared
    no_codes(history.text)


async def test_a_window_in_social_review_says_when_it_closes_and_the_commission_closes_it(
    kit: SandboxClient, bot_running: RunningBot, clock: FakeClock
) -> None:
    clock.set(MORNING_UTC)  # five days on: 2026-03-07 10:00 in Shanghai
    staff, dept, admin = await kit.personas_for(STAFF, DEPT, ADMIN)
    risk_id = await declare_low_risk(staff, "窗口受理时优亲厚友")
    confirmation = await staff.last_bot_message()
    assert (
        zh("workflow.state.social_review") in confirmation.text or "社会评议" in confirmation.text
    )
    assert "2026-03-07" in confirmation.text, confirmation.text

    await dept.send("/review")
    inbox = await dept.expect("审核待办")
    assert zh("review.inbox_empty") not in inbox.text
    assert "2026-03-07" in inbox.text, inbox.text

    await admin.send("/review")
    await admin.expect("审核待办")
    await tap(admin, zh("review.inbox_button", kind=zh("review.kind.social"), n=1))
    await admin.expect("窗口受理时优亲厚友")
    await tap(admin, zh("review.btn.close_social"))
    await admin.expect(zh("review.done.closed"))
    await dept.expect(f"#{risk_id}", timeout=20)  # it is now the department's to grade
    await admin.send(f"/history {risk_id}")
    history = await admin.expect(f"风险点 #{risk_id} 的全程记录")
    assert f"{zh('history.action.close_social')}" in history.text and "李纪委" in history.text


async def test_a_changed_level_is_said_below_the_reason_and_a_return_shows_on_the_card(
    kit: SandboxClient, bot_running: RunningBot, clock: FakeClock
) -> None:
    clock.set(MORNING_UTC)
    staff, dept = await kit.personas_for(STAFF, DEPT)
    first = await declare_low_risk(staff, "窗口受理时优亲厚友")
    second = await declare_low_risk(staff, "收费时不开票据")
    for _ in (first, second):  # the reviewer closes both windows early
        await open_inbox_kind(dept, "review.kind.social")
        await tap(dept, zh("review.btn.close_social"))
        await dept.expect(zh("review.done.closed"))

    await open_inbox_kind(dept, "review.kind.graded")
    card = await dept.expect("窗口受理时优亲厚友")
    no_codes(card.text)
    await tap(dept, zh("review.btn.set_level"))
    await tap(dept, zh("grading.level.2"))
    await dept.expect(zh("review.ask_level_reason"))
    reason = await dept.send("涉及群众切身利益，应从严")
    decided = await dept.expect(f"#{first}")
    assert not decided.edited and decided.message_id > reason.message_id  # below, a new message
    assert zh(
        "review.done.level_set", risk_id=first, level="二级", reason="涉及群众切身利益，应从严"
    ) in (decided.text)

    await return_in_inbox(dept, "review.kind.graded", "收费时不开票据", "请补充票据管理措施")
    await staff.expect("请补充票据管理措施", timeout=20)  # the notice
    await staff.send("/risks")
    await tap(staff, "收费时不开票据")
    card = await staff.expect(zh("risks.card_review_comment", comment="请补充票据管理措施"))
    assert "收费时不开票据" in card.text
    no_codes(card.text)


async def test_a_submitted_power_tells_its_reviewer_with_a_button(
    kit: SandboxClient, bot_running: RunningBot, clock: FakeClock
) -> None:
    from tests.e2e.test_register import add_power

    clock.set(MORNING_UTC)
    staff, dept = await kit.personas_for(STAFF, DEPT)
    await add_power(staff, "zh", "医疗机构执业许可")
    notice = await dept.expect("医疗机构执业许可", timeout=20)
    assert zh("powers.notice.open") in notice.buttons
    await tap(dept, zh("powers.notice.open"))
    card = await dept.expect("医疗机构执业许可（")
    assert zh("review_powers.confirm") in card.buttons

    # In English, for English staff: their power reaches its reviewer in the reviewer's words.
    emily = await kit.persona_for(100010)
    told = await kit.persona_for(ADMIN)  # before the power: its notice may come before "saved"
    await add_power(emily, "en", "School licence")
    arrived = await told.expect("School licence", timeout=20)
    assert zh("powers.notice.open") in arrived.buttons
    assert translate("powers.notice.open", "en") != zh("powers.notice.open")


async def test_a_first_start_welcomes_and_the_export_counts_risk_points(
    kit: SandboxClient, bot_running: RunningBot, clock: FakeClock
) -> None:
    clock.set(MORNING_UTC)
    staff = await kit.persona_for(STAFF)
    await staff.send("/start")
    first = await staff.expect("王芳")
    assert "欢迎回来" not in first.text and "欢迎使用" in first.text
    await staff.send("/start")
    again = await staff.expect("王芳")
    assert "欢迎回来" in again.text

    await declare(
        staff, "审批中索要财物", factor=1, risk_type="moral", measure="双人复核", deadline="year"
    )
    dept = await kit.persona_for(DEPT)
    await dept.send("/export")
    document = await dept.expect(re.compile("登记表"), timeout=20)
    assert "共 1 个风险点" in document.text, document.text
