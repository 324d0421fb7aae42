"""Wizards leave a clean record: each answered step shows its answer and only the newest
question has buttons (issue 13, "a trail of dead keyboards")."""

from __future__ import annotations

import re

from tests.e2e.conftest import RunningBot
from tests.e2e.test_register import STAFF_BY_LOCALE, add_power, t, tap
from tests.kit.persona import BotMessage, Persona, SandboxClient

CHOSEN = "✓ "


async def since(persona: Persona, first: BotMessage) -> list[BotMessage]:
    """The bot's messages from `first` on, oldest first."""
    return [m for m in await persona.messages() if m.from_bot and m.message_id >= first.message_id]


def with_keyboard(messages: list[BotMessage]) -> list[BotMessage]:
    return [m for m in messages if m.inline_buttons]


async def declare_up_to_measures(
    staff: Persona, power: str, description: str, scale: tuple[int, ...]
) -> BotMessage:
    """/risks → declare → power, description, type, no focus, the five factors; the list
    message it started from is returned."""
    locale = "zh"
    await add_power(staff, locale, power)
    await staff.send("/risks")
    listing = await staff.expect("廉政风险点")
    await tap(staff, t(locale, "risks.declare"))
    await staff.expect(t(locale, "risks.ask_power"))
    await tap(staff, power)
    await staff.expect(t(locale, "risks.ask_description"))
    await staff.send(description)
    await staff.expect(t(locale, "risks.ask_type"))
    await tap(staff, t(locale, "register.risk_type.duty"))
    await tap(staff, t(locale, "risks.no_focus"))
    for number, value in enumerate(scale, start=1):
        await staff.expect(f"定级因素 {number}/5")  # each question before its answer
        await tap(staff, t(locale, f"risks.scale.{value}"))
    return listing


async def test_declaring_a_risk_leaves_one_keyboard_and_every_answer_written(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    locale = "zh"
    staff = await kit.persona_for(STAFF_BY_LOCALE[locale])
    listing = await declare_up_to_measures(staff, "审批三", "现场核验时接受宴请", (4, 4, 3, 3, 4))
    await staff.expect(t(locale, "risks.ask_measure"))
    await staff.send("审批结果公示")
    await tap(staff, t(locale, "risks.responsible_me"))
    await staff.send("2026年12月31日")
    await tap(staff, t(locale, "risks.measures_done"))
    card = await staff.expect(re.compile("审批结果公示"))

    chat = await since(staff, listing)
    live = with_keyboard(chat)
    assert [m.message_id for m in live] == [card.message_id], staff.transcript(40)
    assert chat[-1].message_id == card.message_id
    answered = [m.text for m in chat[:-1] if CHOSEN in m.text]
    scale = [t(locale, f"risks.scale.{v}") for v in (4, 4, 3, 3, 4)]
    for expected in [
        t(locale, "risks.declare"),
        "审批三",
        t(locale, "register.risk_type.duty"),
        t(locale, "risks.no_focus"),
        *scale,
        t(locale, "risks.responsible_me"),
        t(locale, "risks.measures_done"),
    ]:
        assert any(CHOSEN + expected in text for text in answered), (expected, answered)
    factor_answers = [text for text in answered if "定级因素" in text]
    assert len(factor_answers) == 5

    await tap(staff, t(locale, "risks.submit"))
    submitted = t(locale, "risks.submitted", id="#", level="#").split("#")[0]
    await staff.expect(submitted)
    after = await since(staff, listing)
    assert with_keyboard(after) == []
    assert CHOSEN + t(locale, "risks.submit") in next(
        m.text for m in after if m.message_id == card.message_id
    )


async def test_my_measures_are_only_mine_and_another_s_is_refused_before_the_note(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    locale = "zh"
    staff = await kit.persona_for(STAFF_BY_LOCALE[locale])  # 王芳
    colleague = await kit.persona_for(100006)  # 陈明, same department
    await declare_up_to_measures(staff, "审批四", "复核时放宽条件", (3, 3, 3, 3, 3))
    measures = (("陈明的措施", "陈明"), ("王芳的措施", t(locale, "risks.responsible_me")))
    for number, (action, who) in enumerate(measures, start=1):
        await staff.expect(t(locale, "risks.ask_measure"))
        await staff.send(action)
        await staff.expect(t(locale, "risks.ask_responsible"))
        await tap(staff, who)
        await staff.expect(t(locale, "risks.ask_deadline"))
        await staff.send("2026年12月31日")
        await staff.expect(t(locale, "risks.ask_more", n=number))
        if number == 1:
            await tap(staff, t(locale, "risks.add_measure"))
    await tap(staff, t(locale, "risks.measures_done"))
    await staff.expect("陈明的措施")
    await tap(staff, t(locale, "risks.submit"))
    await staff.expect(t(locale, "risks.submitted", id="#", level="#").split("#")[0])

    await staff.send("/measures")
    mine = await staff.expect(t(locale, "measures.list_title", total=1))
    assert any("王芳的措施" in label for label in mine.buttons), mine.buttons
    assert not any("陈明的措施" in label for label in mine.buttons), mine.buttons

    await colleague.send("/measures")
    theirs = await colleague.expect(t(locale, "measures.list_title", total=1))
    open_theirs = theirs.callback_data_for("陈明的措施")
    await colleague.press_data(theirs.message_id, open_theirs)
    card = await colleague.expect("陈明的措施")
    report = card.callback_data_for(t(locale, "measures.report_as", status="").strip())

    # 王芳 presses the report button of 陈明's measure (a forged press): refused, nothing asked.
    await staff.press_data(mine.message_id, report)
    notice = await staff.expect_notice(t(locale, "register.not_found"))
    assert notice["show_alert"]
    await staff.press_data(mine.message_id, open_theirs)
    await staff.expect_notice(t(locale, "register.not_found"))
    await staff.expect_nothing(seconds=0.5)
