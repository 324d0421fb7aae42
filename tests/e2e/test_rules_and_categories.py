"""The rule register and per-unit power categories, as a reviewer, the commission and staff
meet them over real HTTP."""

from __future__ import annotations

from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap, zh
from tests.kit.persona import SandboxClient

ADMIN, REVIEWER, STAFF = 100001, 100004, 100005


async def test_a_reviewer_registers_a_rule_that_staff_then_see(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    reviewer, staff = await kit.personas_for(REVIEWER, STAFF)
    await reviewer.send("/rules")
    await tap(reviewer, zh("rules.add"))
    await reviewer.expect(zh("rules.ask_unit"))
    await tap(reviewer, "医政科")
    await reviewer.expect(zh("rules.ask_title"))
    await reviewer.send_sticker()  # not a title: asked again
    await reviewer.expect(zh("rules.ask_title"))
    await reviewer.send("医政审批集体研究制度")
    await tap(reviewer, zh("rules.skip"))
    await reviewer.expect(zh("rules.ask_issued"))
    await reviewer.send("2026-03-01")
    await tap(reviewer, zh("rules.matter.decision"))
    await reviewer.expect(zh("rules.added", title="医政审批集体研究制度"))
    await staff.send("/rules")
    listed = await staff.expect("医政审批集体研究制度")
    assert "2026-03-01" in listed.text


async def test_the_commission_sets_a_bureaus_categories_and_staff_pick_from_them(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    admin, staff = await kit.personas_for(ADMIN, STAFF)
    await staff.send("/categories")
    await staff.expect("需要相应的角色")
    await admin.send("/categories")
    await admin.expect(zh("categories.ask_unit"))
    await tap(admin, "长安区/卫生局")
    await tap(admin, zh("register.scope.external"))
    await admin.expect("现在的类别")
    await admin.send("传染病防治监督\n医疗机构审批")
    await admin.expect("传染病防治监督")

    # 王芳's department inherits its bureau's list.
    await staff.send("/powers")
    await tap(staff, zh("powers.add"))
    await staff.send("医疗机构设置审批")
    await staff.send("审批设置申请")
    subject = await staff.expect(zh("powers.ask_subject"))
    await tap(staff, subject.buttons[0])
    await staff.send("《医疗机构管理条例》")
    await tap(staff, zh("register.scope.external"))
    category = await staff.expect(zh("powers.ask_category"))
    assert category.buttons[:2] == ["传染病防治监督", "医疗机构审批"]
