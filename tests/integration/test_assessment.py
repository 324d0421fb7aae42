"""The assessment service: a year computed live from the register, confirmed (frozen, audited,
unit heads told in their language), and left alone by later changes to the register."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.assessment import AssessmentState, Count, Indicator
from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.services import assessment, risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.assessment import AssessmentResult
from storage.models.audit import AuditLog
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.register import ControlMeasure, RiskPoint
from tests.kit.register import People, make_people

TODAY = date(2026, 11, 26)
FACTORS = {"importance": 4, "discretion": 4, "public": 3, "likelihood": 3, "harm": 4}


async def declare(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    person_id: int,
    text: str,
    *deadlines: date,
) -> int:
    async with sessionmaker() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        risk = await risks.declare_risk(
            session,
            clock,
            actor=person,
            draft=RiskDraft(
                text,
                "duty",
                FACTORS,
                tuple(
                    MeasureDraft(f"{text}措施{i}", date(2026, 12, 31))
                    for i in range(len(deadlines))
                ),
            ),
            settings=settings,
        )
        # Declared earlier in the year: deadlines already behind us are set afterwards.
        for measure, deadline in zip(risk.measures, deadlines, strict=True):
            measure.deadline = deadline
        await session.commit()
        return risk.id


@pytest.fixture(params=["zh", "en"])
async def org(
    request: pytest.FixtureRequest,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
) -> People:
    org = await make_people(sessionmaker, clock, language=request.param)
    await declare(
        sessionmaker,
        clock,
        settings,
        org.staff_id,
        "审批收受好处",
        date(2026, 6, 30),
        date(2026, 12, 31),
    )
    await declare(sessionmaker, clock, settings, org.leader_id, "干预招投标", date(2026, 3, 31))
    async with sessionmaker() as session:
        measures = {m.action: m for m in await session.scalars(select(ControlMeasure))}
        # Done before its deadline; the leader's is overdue and not done.
        measures["审批收受好处措施0"].status = "done"
        measures["审批收受好处措施0"].updated_at = datetime(2026, 6, 1, 3, tzinfo=UTC)
        await session.commit()
    return org


def config(settings: Settings) -> assessment.AssessmentConfig:
    return assessment.AssessmentConfig.from_settings(settings)


async def confirm(
    session: AsyncSession,
    clock: FakeClock,
    settings: Settings,
    actor: Person | None,
    year: int = 2026,
) -> assessment.YearAssessment:
    """The year confirmed by `actor`, as the commission's button does (today is TODAY)."""
    return await assessment.confirm(
        session,
        clock,
        actor=actor,
        year=year,
        today=TODAY,
        config=config(settings),
        settings=settings,
    )


async def test_live_counts_per_unit_with_no_data_where_there_is_none(
    sessionmaker: SessionMaker, org: People, settings: Settings
) -> None:
    async with sessionmaker() as session:
        year = await assessment.live(session, 2026, today=TODAY, config=config(settings))
    assert year.state is AssessmentState.DRAFT
    health = year.result(org.bureau_id)
    finance = year.result(org.other_unit_id)
    assert health is not None and finance is not None
    assert health.counts[Indicator.COVERAGE] == Count(2, 2)  # 医政审批岗 and 局长
    # Deadlines in 2026: one done on time, one overdue; the December one is not due yet.
    assert health.counts[Indicator.MEASURES_ON_TIME] == Count(1, 2)
    assert health.counts[Indicator.FEEDBACK_ON_TIME] == Count(0, 0)  # no feedback yet
    assert finance.counts[Indicator.COVERAGE] == Count(0, 1)
    assert health.rank == 1 and finance.rank == 2
    assert health.score.value is not None and finance.score.value == 0


async def test_only_the_commission_confirms_and_only_once(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, settings: Settings
) -> None:
    async with sessionmaker() as session:
        staff = await session.get(Person, org.staff_id)
        with pytest.raises(NotAllowed):
            await confirm(session, clock, settings, staff)
        admin = await session.get(Person, org.admin_id)
        await confirm(session, clock, settings, admin)
        await session.commit()
        with pytest.raises(ServiceError) as again:
            await confirm(session, clock, settings, admin)
        assert again.value.key == "assessment.already_confirmed"


async def test_confirmed_year_is_frozen_audited_and_told_to_unit_heads(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, settings: Settings
) -> None:
    async with sessionmaker() as session:
        admin = await session.get(Person, org.admin_id)
        frozen = await confirm(session, clock, settings, admin)
        await session.commit()
    before = frozen.result(org.other_unit_id)
    assert before is not None and before.counts[Indicator.COVERAGE] == Count(0, 1)

    # Later the register moves: 财政局 declares its risk point.
    await declare(sessionmaker, clock, settings, org.outsider_id, "会计做假账", date(2026, 5, 1))
    async with sessionmaker() as session:
        later = await assessment.for_year(session, 2026, today=TODAY, config=config(settings))
        draft = await assessment.live(session, 2026, today=TODAY, config=config(settings))
        rows = (await session.scalars(select(AssessmentResult))).all()
        audits = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "assessment.confirm"))
        ).all()
        notices = (
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "assessment.result")
            )
        ).all()
        leader = await session.get(Person, org.leader_id)
    assert later.state is AssessmentState.CONFIRMED
    assert later.result(org.other_unit_id) == before
    assert [r.rank for r in later.results] == [r.rank for r in frozen.results]
    live_finance = draft.result(org.other_unit_id)
    assert live_finance is not None and live_finance.counts[Indicator.COVERAGE] == Count(1, 1)
    assert {r.unit_id for r in rows} == {org.bureau_id, org.other_unit_id}
    assert len(audits) == 1 and audits[0].after["status"] == "confirmed"
    # 陈局长 leads 卫生局; 财政局 has no leader in this organisation.
    assert [n.chat_id for n in notices] == [org.leader]
    assert leader is not None
    text = notices[0].payload["text"]
    if leader.language == "en":
        assert "The 2026 integrity-risk assessment is confirmed" in text
        assert "Posts covered: 2/2" in text
    else:
        assert "2026 年度廉政风险防控考核结果已确认" in text
        assert "岗位覆盖：2/2" in text
    async with sessionmaker() as session:
        risk_count = len((await session.scalars(select(RiskPoint))).all())
    assert risk_count == 3


async def test_last_year_beside_this_year_and_the_report_shows_a_confirmed_year(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, settings: Settings
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from bot.domain.report_period import year_period
    from bot.i18n import translate
    from bot.services.assessment_text import card_text
    from bot.services.reports.build import ReportData, build_report
    from bot.services.reports.pdf import render_pdf
    from bot.services.stats.overview import Scope

    def zh(key: str, /, **values: object) -> str:
        return translate(key, "zh", **values)

    async def report() -> ReportData:  # the district's report for 2026, in Chinese
        return await build_report(
            session,
            Scope.district(),
            year_period(2026, TODAY),
            locale="zh",
            now=clock.now(),
            timezone=settings.timezone,
            answer_days=settings.feedback_answer_days,
        )

    async with sessionmaker() as session:
        admin = await session.get(Person, org.admin_id)
        before = await report()
        assert before.report.assessment is None  # a draft year is not in the report
        await confirm(session, clock, settings, admin, year=2025)
        await confirm(session, clock, settings, admin)
        await session.commit()
        last = await assessment.confirmed(session, 2025)
        this = await assessment.confirmed(session, 2026)
        data = await report()
    assert last is not None and this is not None
    health, previous = this.result(org.bureau_id), last.result(org.bureau_id)
    assert health is not None and previous is not None
    card = card_text(this, health, previous, zh, timezone=settings.timezone)
    assert (
        zh(
            "assessment.card.last_year",
            year=2025,
            score=previous_score(previous),
            rank=previous.rank,
        )
        in card
    )
    assert data.report.assessment is not None
    assert [row[1] for row in data.report.assessment.rows] == ["卫生局", "财政局"]
    text = PdfReader(BytesIO(render_pdf(data.report))).pages[0].extract_text()
    assert "2026年度考核结果" in text and "卫生局" in text


def previous_score(result: assessment.UnitResult) -> str:
    from bot.domain.assessment import points

    assert result.score.value is not None
    return points(result.score.value)


async def test_a_year_to_come_or_long_gone_is_refused(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, settings: Settings
) -> None:
    async with sessionmaker() as session:
        admin = await session.get(Person, org.admin_id)
        for year in (2027, 1999):
            with pytest.raises(ServiceError) as refused:
                await confirm(session, clock, settings, admin, year=year)
            assert refused.value.key == "assessment.bad_year"
