"""Register services against a real database: authority, all-or-nothing, audit, notices."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.services import powers, risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.services.rules_register import add_rule, rules_for_unit
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.register import ControlMeasure, Power, RiskPoint
from tests.kit.register import People, make_people
from tests.kit.rows import count_rows
from tests.kit.uow import ServiceCall, unit_of_work

FACTORS = {"importance": 4, "discretion": 4, "public": 3, "likelihood": 3, "harm": 4}
SOON = date(2026, 12, 31)


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    return await make_people(sessionmaker, clock)


def power_draft(name: str = "医疗机构执业许可") -> powers.PowerDraft:
    return powers.PowerDraft(
        name=name,
        content="审批医疗机构设置",
        subject="医政科",
        legal_basis="《医疗机构管理条例》第九条",
        category="行政许可/审批",
        scope="external",
    )


def risk_draft(*measures: MeasureDraft, **changes: object) -> RiskDraft:
    values: dict[str, object] = {
        "description": "审批中收受申请人好处，降低条件发证",
        "risk_type": "duty",
        "factors": FACTORS,
        "measures": measures or (MeasureDraft("审批结果集体研究并公示", SOON),),
    }
    values.update(changes)
    return RiskDraft(**values)  # type: ignore[arg-type]


async def staff_power(
    session: AsyncSession, call: ServiceCall, org: People
) -> tuple[Person, Power]:
    """王芳 (staff) inventories a power: she and the power, submitted."""
    staff = await session.get(Person, org.staff_id)
    assert staff is not None
    return staff, await call(session, powers.add_power, actor=staff, draft=power_draft())


async def test_power_inventory_review_and_notice(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff, power = await staff_power(session, call, org)
        assert power.status == "submitted" and power.post_id == org.post_id
    async with unit_of_work(sessionmaker) as session:
        review = partial(call, session, powers.review_power, power_id=power.id)
        outsider = await session.get(Person, org.other_reviewer_id)
        with pytest.raises(NotAllowed):
            await review(actor=outsider, confirm=True)
        reviewer = await session.get(Person, org.reviewer_id)
        with pytest.raises(ServiceError, match=r"register.text_empty"):
            await review(actor=reviewer, confirm=False, comment=" ")
        returned = await review(actor=reviewer, confirm=False, comment="补充条款")
        assert returned.status == "returned" and returned.review_comment == "补充条款"
    async with unit_of_work(sessionmaker) as session:
        # The reviewer heard of the submission; the submitter hears of the return.
        chats = [row.chat_id for row in await session.scalars(select(OutboxMessage))]
        assert org.staff in chats and len(chats) == 2
        notice = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.chat_id == org.staff)
        )
        assert notice is not None
        assert "补充条款" in notice.payload["text"]
        staff = await session.get(Person, org.staff_id)
        change = {"field": "legal_basis", "value": "第九、十条"}
        edited = await call(session, powers.edit_power, actor=staff, power_id=power.id, **change)
        assert edited.status == "submitted"  # back to review
        reviewer = await session.get(Person, org.reviewer_id)
        await call(session, powers.review_power, actor=reviewer, power_id=power.id, confirm=True)
        # Confirmed: no more edits, a second decision is stale.
        with pytest.raises(ServiceError, match=r"register.power_is_confirmed"):
            await powers.withdraw_power(session, clock, actor=staff, power_id=power.id)
        with pytest.raises(ServiceError, match=r"register.power_is_confirmed"):
            await call(
                session, powers.review_power, actor=reviewer, power_id=power.id, confirm=True
            )
        totals = await powers.counts(session, unit_ids=[org.department_id])
        assert totals.by_scope == {"external": 1}
    async with unit_of_work(sessionmaker) as session:
        actions = list(
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity_type == "powers")
                .order_by(AuditLog.id)
            )
        )
    assert actions == ["power.add", "power.return", "power.edit", "power.confirm"]


async def test_power_of_another_unit_is_invisible(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        _, power = await staff_power(session, call, org)
        outsider = await session.get(Person, org.outsider_id)
        forged = {"field": "name", "value": "x"}  # an edit of someone else's power
        for attempt in (
            powers.get_visible(session, outsider, power.id),
            call(session, powers.edit_power, actor=outsider, power_id=power.id, **forged),
            powers.withdraw_power(session, clock, actor=outsider, power_id=power.id),
        ):
            with pytest.raises(ServiceError, match=r"register.not_found"):
                await attempt
        colleague = await session.get(Person, org.colleague_id)
        assert (await powers.get_visible(session, colleague, power.id)).id == power.id
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await powers.withdraw_power(session, clock, actor=colleague, power_id=power.id)


async def test_categories_configurable_per_unit(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        assert "行政处罚" in await powers.categories_for(session, org.department_id, "external")
        admin = await session.get(Person, org.admin_id)
        await powers.set_categories(
            session,
            clock,
            actor=admin,
            unit_id=org.bureau_id,
            scope="external",
            names=["审判权", "行政权", "其他"],
        )
        # The department inherits its bureau's list; the other bureau keeps the defaults.
        assert await powers.categories_for(session, org.department_id, "external") == [
            "审判权",
            "行政权",
            "其他",
        ]
        assert "行政处罚" in await powers.categories_for(session, org.other_unit_id, "external")
        staff = await session.get(Person, org.staff_id)
        with pytest.raises(NotAllowed):
            await powers.set_categories(
                session, clock, actor=staff, unit_id=org.bureau_id, scope="external", names=[]
            )
        with pytest.raises(ServiceError, match=r"register.bad_category"):
            await call(session, powers.add_power, actor=staff, draft=power_draft())


async def test_declaration_is_all_or_nothing(
    sessionmaker: SessionMaker, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        declare = partial(call, session, risks.declare_risk, actor=staff)
        past = MeasureDraft("过期措施", date(2026, 1, 1))
        with pytest.raises(ServiceError, match=r"register.date_past"):
            await declare(draft=risk_draft(MeasureDraft("好", SOON), past))
        outsider_measure = MeasureDraft("交给外单位", SOON, responsible_id=org.outsider_id)
        with pytest.raises(ServiceError, match=r"register.bad_responsible"):
            await declare(draft=risk_draft(outsider_measure))
        with pytest.raises(ServiceError, match=r"register.text_too_long"):
            await declare(draft=risk_draft(description="长" * 1001))
        with pytest.raises(ServiceError, match=r"register.bad_factors"):
            await declare(draft=risk_draft(factors=FACTORS | {"harm": 6}))
    assert await count_rows(sessionmaker, RiskPoint) == 0
    assert await count_rows(sessionmaker, ControlMeasure) == 0


async def test_declare_with_two_measures(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        reviewer = await session.get(Person, org.reviewer_id)
        rule = await add_rule(
            session,
            clock,
            actor=reviewer,
            unit_id=org.bureau_id,
            title="卫生局“三重一大”集体决策制度",
            major_matter="decision",
        )
        risk = await call(
            session,
            risks.declare_risk,
            actor=staff,
            draft=risk_draft(
                MeasureDraft("审批结果公示", SOON, rule_id=rule.id),
                MeasureDraft("双人复核", date(2027, 3, 31), responsible_id=org.colleague_id),
                focus_programme="合作医疗",
            ),
        )
        assert risk.status == "social_review"  # the review took it up
        assert risk.suggested_level in (1, 2)
        assert [m.responsible_name for m in risk.measures] == ["王芳", "张伟"]
        # A rule of another unit cannot be cited.
        other = await add_rule(
            session,
            clock,
            actor=await session.get(Person, org.admin_id),
            unit_id=org.other_unit_id,
            title="财政局制度",
        )
        with pytest.raises(ServiceError, match=r"register.bad_rule"):
            draft = risk_draft(MeasureDraft("x", SOON, rule_id=other.id))
            await call(session, risks.declare_risk, actor=staff, draft=draft)
        rules, total = await rules_for_unit(session, org.department_id)
        assert total == 1 and rules[0].id == rule.id
    async with unit_of_work(sessionmaker) as session:
        outsider = await session.get(Person, org.outsider_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.get_visible(session, outsider, risk.id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.risks_of_post(session, outsider, org.post_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await call(session, risks.withdraw_risk, actor=outsider, risk_id=risk.id)
        staff = await session.get(Person, org.staff_id)
        describe = partial(
            call, session, risks.edit_risk, actor=staff, risk_id=risk.id, field="description"
        )
        # The review has taken it up (social review): the holder no longer edits it there.
        with pytest.raises(ServiceError, match=r"register.risk_locked"):
            await describe(value="新描述")
        withdrawn = await call(session, risks.withdraw_risk, actor=staff, risk_id=risk.id)
        assert withdrawn.status == "withdrawn"
        with pytest.raises(ServiceError, match=r"register.risk_locked"):
            await describe(value="再改")


async def test_top_down_confirmed_and_disputed(
    sessionmaker: SessionMaker, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        reviewer = await session.get(Person, org.reviewer_id)
        other_reviewer = await session.get(Person, org.other_reviewer_id)
        propose = partial(call, session, risks.propose_risk, post_id=org.post_id)
        with pytest.raises(NotAllowed):
            await propose(actor=other_reviewer, description="x", risk_type="duty")
        first = await propose(actor=reviewer, description="审批超时限", risk_type="process")
        second = await propose(actor=reviewer, description="收受红包", risk_type="moral")
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        assert [r.id for r in await risks.proposals_for(session, staff)] == [first.id, second.id]
        colleague = await session.get(Person, org.colleague_id)
        answer = partial(call, session, risks.answer_proposal)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await answer(actor=colleague, risk_id=first.id, accept=True)
        accepted = await answer(actor=staff, risk_id=first.id, accept=True)
        assert accepted.status == "draft" and accepted.created_by_id == org.staff_id
        with pytest.raises(ServiceError, match=r"register.text_empty"):
            await answer(actor=staff, risk_id=second.id, accept=False)
        disputed = await answer(
            actor=staff, risk_id=second.id, accept=False, reason="本岗位不经手现金"
        )
        assert disputed.status == "disputed"
        # Stale: answering again is refused by the state machine.
        with pytest.raises(ServiceError, match=r"workflow.illegal.disputed"):
            await answer(actor=staff, risk_id=second.id, accept=True)
        measures = [MeasureDraft("限时办结", SOON)]
        done = await call(
            session, risks.complete_draft, actor=staff, risk_id=first.id, factors=FACTORS,
            measures=measures)  # fmt: skip
        assert done.status == "social_review" and len(done.measures) == 1
        texts = [
            m.payload["text"]
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id == org.reviewer)
            )
        ]
        assert any("本岗位不经手现金" in t for t in texts)


async def test_leadership_three_steps(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        leader = await session.get(Person, org.leader_id)
        risk = await call(session, risks.declare_risk, actor=leader, draft=risk_draft())
        assert risk.status == "collective_discussion"
        with pytest.raises(ServiceError, match=r"workflow.illegal.collective_discussion"):
            await call(session, risks.confirm_self_review, actor=leader, risk_id=risk.id)
        discuss = partial(call, session, risks.record_discussion, actor=leader, risk_id=risk.id)
        with pytest.raises(ServiceError, match=r"register.date_future"):
            await discuss(held_on=date(2027, 1, 1), summary="班子会议")
        await discuss(held_on=date(2026, 11, 20), summary="班子会议集体研究，同意")
        done = await call(session, risks.confirm_self_review, actor=leader, risk_id=risk.id)
        assert done.status == "standing_committee" and done.self_reviewed_at == clock.now()
        to_admin = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.chat_id == org.admin)
        )
        assert to_admin is not None


async def test_measure_report_and_overdue(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, call: ServiceCall
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        risk = await call(
            session,
            risks.declare_risk,
            actor=staff,
            draft=risk_draft(
                MeasureDraft("公示", date(2026, 11, 30)),
                MeasureDraft("复核", date(2026, 11, 30), responsible_id=org.colleague_id),
            ),
        )
        first, second = (m.id for m in risk.measures)
        report = partial(call, session, risks.report_measure)
        outsider = await session.get(Person, org.outsider_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await report(actor=outsider, measure_id=first, status="done", note="x")
        colleague = await session.get(Person, org.colleague_id)
        await report(actor=colleague, measure_id=second, status="done", note="已复核")
        await report(actor=staff, measure_id=first, status="in_progress", note="进行中")
    clock.advance(timedelta(days=5))
    async with unit_of_work(sessionmaker) as session:
        overdue = await risks.overdue_measures(session, date(2026, 12, 1))
        assert [m.id for m in overdue] == [first]
        assert await risks.overdue_measures(session, date(2026, 11, 30)) == []
