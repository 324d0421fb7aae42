"""The risk register as staff and reviewers use it on their phones, in zh and in en."""

from __future__ import annotations

import re

import pytest

from bot.i18n import translate
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap
from tests.kit.persona import Persona, SandboxClient

REVIEWER = 100004  # 周科长, reviewer of 医政科
STAFF_BY_LOCALE = {"zh": 100005, "en": 100010}  # 王芳 (医政科), Emily Chen (教育局)


def t(locale: str, key: str, **values: object) -> str:
    return translate(key, locale, **values)


async def add_power(staff: Persona, locale: str, name: str) -> None:
    await staff.send("/powers")
    await tap(staff, t(locale, "powers.add"))
    await staff.expect(t(locale, "powers.ask_name"))
    await staff.send(name)
    await staff.expect(t(locale, "powers.ask_content"))
    await staff.send_sticker()  # a sticker where text is asked: hint, same question
    await staff.expect(t(locale, "register.text_expected"))
    await staff.send(f"{name}: content")
    subject = await staff.expect(t(locale, "powers.ask_subject"))
    await tap(staff, subject.buttons[0])  # "this post"
    await staff.expect(t(locale, "powers.ask_legal_basis"))
    await staff.send("《行政许可法》第十二条")
    await tap(staff, t(locale, "register.scope.external"))
    category = await staff.expect(t(locale, "powers.ask_category"))
    await tap(staff, category.buttons[0])
    await tap(staff, t(locale, "powers.save"))
    # The saved message itself: the card above holds the name too, and matching it raced the
    # save (a reviewer's /powerreview could come before the power was there).
    await staff.expect(t(locale, "powers.saved", name=name))


@pytest.mark.parametrize("locale", ["zh", "en"])
async def test_two_powers_and_a_risk_with_two_measures(
    kit: SandboxClient, bot_running: RunningBot, locale: str
) -> None:
    staff = await kit.persona_for(STAFF_BY_LOCALE[locale])
    await add_power(staff, locale, "审批一" if locale == "zh" else "Approval one")
    await add_power(staff, locale, "审批二" if locale == "zh" else "Approval two")

    await staff.send("/risks")
    await tap(staff, t(locale, "risks.declare"))
    await staff.expect(t(locale, "risks.ask_power"))
    await tap(staff, "审批一" if locale == "zh" else "Approval one")
    await staff.expect(t(locale, "risks.ask_description"))
    await staff.send("长" * 1001)
    await staff.expect(t(locale, "register.text_too_long", limit=1000))
    await staff.send("审批中收受申请人好处" if locale == "zh" else "Favours taken from applicants")
    await staff.expect(t(locale, "risks.ask_type"))
    await tap(staff, t(locale, "register.risk_type.duty"))
    await tap(staff, t(locale, "risks.no_focus"))
    for value in (4, 4, 3, 3, 4):
        await tap(staff, t(locale, f"risks.scale.{value}"))
    await staff.expect(t(locale, "risks.ask_measure"))
    await staff.send("审批结果公示" if locale == "zh" else "Publish every decision")
    await tap(staff, t(locale, "risks.responsible_me"))
    await staff.send("2026-02-30")
    await staff.expect(t(locale, "register.date_invalid"))
    await staff.send("2026年12月31日")
    await tap(staff, t(locale, "risks.add_measure"))
    await staff.expect(t(locale, "risks.ask_measure"))
    await staff.send("双人复核" if locale == "zh" else "Four-eyes check")
    await tap(staff, t(locale, "risks.responsible_me"))
    await tap(staff, t(locale, "risks.quick.quarter"))
    await tap(staff, t(locale, "risks.measures_done"))
    second = "双人复核" if locale == "zh" else "Four-eyes check"
    card = await staff.expect(re.compile(rf"2026-12-31[\s\S]*{second}"))
    assert second in card.text
    await tap(staff, t(locale, "risks.submit"))
    submitted = t(locale, "risks.submitted", id="#", level="#").split("#")[0]
    await staff.expect(submitted)
    await staff.send("/risks")
    listed = await staff.expect_message()
    assert any(
        ("审批中收受" if locale == "zh" else "Favours") in label for label in listed.buttons
    )


async def test_reviewer_returns_a_power_and_the_holder_sees_why(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    staff, reviewer, outsider = await kit.personas_for(
        STAFF_BY_LOCALE["zh"], REVIEWER, STAFF_BY_LOCALE["en"]
    )
    await add_power(staff, "zh", "医疗机构执业许可")

    await outsider.send("/powerreview")
    await outsider.expect("needs a role")
    await reviewer.send("/powerreview")
    await tap(reviewer, "医疗机构执业许可")
    await tap(reviewer, t("zh", "review_powers.return"))
    await reviewer.send("请补充法律依据的具体条款")
    await reviewer.expect(t("zh", "review_powers.returned", name="医疗机构执业许可"))
    notice = await staff.expect("请补充法律依据的具体条款", timeout=20)
    assert "医疗机构执业许可" in notice.text


async def edit_power_field(staff: Persona, name: str, field: str, value: str) -> None:
    """/powers → the power → edit `field` → type `value` → told it is edited (in zh)."""
    await staff.send("/powers")
    await tap(staff, name)
    await tap(staff, t("zh", f"powers.edit.{field}"))
    await staff.expect(t("zh", "powers.ask_new_value", field="#").split("#")[0])
    await staff.send(value)
    await staff.expect(t("zh", "powers.edited"))


async def test_a_returned_power_submitted_again_is_announced_again(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    staff = await kit.persona_for(STAFF_BY_LOCALE["zh"])
    reviewer = await kit.persona_for(REVIEWER)
    name = "放射诊疗许可"
    announced = t("zh", "powers.notice.to_review", name=name, unit="#", post="#").split("#")[0]
    await add_power(staff, "zh", name)
    await reviewer.expect(announced, timeout=20)  # the first submission is announced
    await reviewer.send("/powerreview")
    await tap(reviewer, name)
    await tap(reviewer, t("zh", "review_powers.return"))
    await reviewer.send("请补充法律依据的具体条款")
    await reviewer.expect(t("zh", "review_powers.returned", name=name))
    await staff.expect("请补充法律依据的具体条款", timeout=20)

    # The holder mends the legal basis: the power is submitted again, and its reviewer told.
    await edit_power_field(staff, name, "legal_basis", "《放射诊疗管理规定》第十一条")
    again = await reviewer.expect(announced, timeout=20)
    assert name in again.text and again.inline_buttons  # with its button to open it
    await tap(reviewer, again.buttons[0])
    card = await reviewer.expect("《放射诊疗管理规定》第十一条")
    assert t("zh", "review_powers.return") in card.buttons

    # Editing it again while it waits is no new submission: nothing more is announced.
    await edit_power_field(staff, name, "content", "放射诊疗许可的审批")
    await reviewer.expect_nothing(seconds=1.5)
