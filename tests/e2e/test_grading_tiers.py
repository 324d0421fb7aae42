"""Graded management (分级管理、分级负责) as the tiers live it: a risk suggested 二级 skips the
department and goes to the bureau's party organisation, whose reviewer may close the social
review early; the holder, who reads English, is told each step in English."""

from __future__ import annotations

import re

from bot.i18n import translate
from tests.e2e.conftest import RunningBot
from tests.e2e.test_grading import BUREAU_REVIEWER, COLLEAGUE, DEPT_REVIEWER, STAFF
from tests.kit.grading_ui import approve_in_inbox, declare_with_factors, open_inbox_kind, tap, zh
from tests.kit.persona import SandboxClient


def en(key: str, **values: object) -> str:
    return translate(key, "en", **values)


async def test_a_level_two_risk_is_reviewed_and_approved_by_the_bureau(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    staff, colleague, dept, bureau = await kit.personas_for(
        STAFF, COLLEAGUE, DEPT_REVIEWER, BUREAU_REVIEWER
    )

    # Every factor 3: the rule suggests 二级 and says why on the holder's confirmation.
    risk_id = await declare_with_factors(staff, "许可证延续审查走过场", 3)
    submitted = await staff.last_bot_message()
    assert "二级" in submitted.text
    await colleague.expect("进入社会评议", timeout=20)

    # The holder switches to English; from now on the bot speaks to them in English.
    await staff.send("/language")
    await tap(staff, zh("language.name_en"))
    await staff.expect(en("language.changed"))

    # A colleague agrees during social review.
    await colleague.send("/peer")
    await tap(colleague, f"#{risk_id}")
    await tap(colleague, zh("peer.btn.agree"))
    await colleague.expect(zh("peer.done.agreed"))

    # The bureau's reviewer sees it at social review and closes the window early.
    await open_inbox_kind(bureau, "review.kind.social")
    card = await bureau.expect("许可证延续审查走过场")
    assert "二级" in card.text  # the suggested level and its reason are on the card
    await tap(bureau, zh("review.btn.close_social"))
    await bureau.expect(zh("review.done.closed"))

    # 分级评审 belongs to the bureau for 二级: the department has nothing to grade, and a
    # forged button from the department's reviewer is refused.
    await dept.send("/review")
    dept_inbox = await dept.expect("审核待办")
    assert zh("review.kind.graded") not in " ".join(dept_inbox.buttons)
    await open_inbox_kind(bureau, "review.kind.graded")
    graded = await bureau.expect("许可证延续审查走过场")
    forged = graded.callback_data_for(zh("review.btn.approve"))
    await dept.press_data(dept_inbox.message_id, forged)
    refused = await dept.expect_notice(re.compile(r"\S"))
    assert refused["show_alert"]

    # The bureau passes the graded review and then gives organisational approval.
    await tap(bureau, zh("review.btn.approve"))
    await bureau.expect(zh("review.done.approved"))
    await approve_in_inbox(bureau, "review.kind.approval", "许可证延续审查走过场")

    notice = en(
        "review.notice.approved",
        risk_id=risk_id,
        title="许可证延续审查走过场",
        level=en("grading.level.2"),
    )
    await staff.expect(notice, timeout=20)
