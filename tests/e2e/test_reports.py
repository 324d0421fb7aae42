"""Leaders' documents end to end: the commission's annual assessment (confirmed, frozen, the
unit head told in their language) and /report's PDF and XLSX, through the sandbox."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.services import risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap
from tests.kit.persona import SandboxClient

COMMISSION = 100001  # 李纪委
DISTRICT_LEADER, BUREAU_HEAD = 100002, 100003  # 赵区长, 孙局长 (卫生局)
STAFF, FINANCE_STAFF, CITIZEN = 100005, 100009, 100101  # 王芳 (医政科), 郑强 (财政局), 张大爷
FACTORS = {"importance": 4, "discretion": 4, "public": 3, "likelihood": 3, "harm": 4}


def t(locale: str, key: str, **values: object) -> str:
    return translate(key, locale, **values)


async def declare(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, telegram_id: int, text: str
) -> None:
    async with sessionmaker() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        assert person is not None
        await risks.declare_risk(
            session,
            clock,
            actor=person,
            draft=RiskDraft(
                text, "duty", FACTORS, (MeasureDraft(f"{text}：公示", date(2026, 12, 31)),)
            ),
            settings=settings,
        )
        await session.commit()


async def set_language(sessionmaker: SessionMaker, telegram_id: int, language: str) -> None:
    async with sessionmaker() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        assert person is not None
        person.language = language
        await session.commit()


@pytest.mark.parametrize("head_locale", ["zh", "en"])
async def test_commission_confirms_the_year_and_a_later_change_leaves_it_alone(
    kit: SandboxClient,
    bot_running: RunningBot,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    head_locale: str,
) -> None:
    await set_language(sessionmaker, BUREAU_HEAD, head_locale)
    await declare(sessionmaker, clock, settings, STAFF, "审批中收受申请人好处")
    commission, head = await kit.personas_for(COMMISSION, BUREAU_HEAD)

    await commission.send("/assessment 2026")
    ranking = await commission.expect("2026 年度廉政风险防控考核 · 排名")
    assert "卫生局" in ranking.text and t("zh", "assessment.state.draft") in ranking.text
    # The first card: the best unit, 卫生局 (the only one with a risk point declared).
    await tap(commission, t("zh", "nav.next"))
    card = await commission.expect("岗位覆盖")
    assert card.edited and card.message_id == ranking.message_id  # edited in place
    assert "卫生局" in card.text
    assert t("zh", "assessment.card.last_year_none", year=2025) in card.text
    assert "意见反馈按时答复：无数据" in card.text  # feedback does not exist yet: no data
    await tap(commission, t("zh", "assessment.btn.confirm"))
    await commission.expect(t("zh", "assessment.confirm_question", year=2026)[:12])
    await tap(commission, t("zh", "assessment.btn.confirm_yes"))
    frozen = await commission.expect(t("zh", "assessment.state.confirmed", date="2026-11-26"))
    assert t("zh", "assessment.btn.confirm") not in frozen.buttons

    # The bureau's head hears the result, in their language.
    expected = t(
        head_locale, "assessment.notice", year=2026, unit="卫生局", score="#", rank=1, count=5
    ).split("<b>")[0]
    notice = await head.expect(expected, timeout=20)
    covered = t(head_locale, "assessment.indicator.coverage")
    assert covered in notice.text

    # A later change to the register: the confirmed year shows exactly what it showed.
    await declare(sessionmaker, clock, settings, FINANCE_STAFF, "惠农补贴虚报冒领")
    await commission.send("/assessment 2026")
    again = await commission.expect("2026 年度廉政风险防控考核 · 排名")
    assert again.text == frozen.text

    # A stale confirm button and a forged year change nothing and say why.
    await commission.press_data(again.message_id, "as:yes:2026:0")
    await commission.expect_notice(t("zh", "assessment.already_confirmed"))
    await commission.press_data(again.message_id, "as:page:2999:3")
    await commission.expect_notice(t("zh", "assessment.bad_year", latest=2026))


async def test_assessment_is_for_the_commission_only(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    for telegram_id in (STAFF, CITIZEN, DISTRICT_LEADER):
        someone = await kit.persona_for(telegram_id)
        await someone.send("/assessment 2026")
        await someone.expect(t("zh", "fallback.command_not_allowed", command="assessment"))
    commission = await kit.persona_for(COMMISSION)
    await commission.send("/assessment 1999")
    await commission.expect(t("zh", "assessment.bad_year", latest=2026))
