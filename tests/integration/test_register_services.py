"""Register services against a real database: authority, all-or-nothing, audit, notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.services import powers, risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.services.rules_register import add_rule, rules_for_unit
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.register import ControlMeasure, RiskPoint
from tests.kit.register import People, make_people
from tests.kit.uow import unit_of_work

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


async def count(sessionmaker: SessionMaker, model: type, *where: object) -> int:
    async with unit_of_work(sessionmaker) as session:
        return int(
            await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def test_power_inventory_review_and_notice(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    settings: Settings,
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        power = await powers.add_power(
            session, clock, actor=staff, draft=power_draft(), settings=settings
        )
        assert power.status == "submitted" and power.post_id == org.post_id
    async with unit_of_work(sessionmaker) as session:
        outsider = await session.get(Person, org.other_reviewer_id)
        with pytest.raises(NotAllowed):
            await powers.review_power(
                session, clock, actor=outsider, power_id=power.id, confirm=True, settings=settings
            )
        reviewer = await session.get(Person, org.reviewer_id)
        with pytest.raises(ServiceError, match=r"register.text_empty"):
            await powers.review_power(
                session,
                clock,
                actor=reviewer,
                power_id=power.id,
                confirm=False,
                comment=" ",
                settings=settings,
            )
        returned = await powers.review_power(
            session,
            clock,
            actor=reviewer,
            power_id=power.id,
            confirm=False,
            comment="补充条款",
            settings=settings,
        )
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
        edited = await powers.edit_power(
            session, clock, actor=staff, power_id=power.id, settings=settings, **change
        )
        assert edited.status == "submitted"  # back to review
        reviewer = await session.get(Person, org.reviewer_id)
        await powers.review_power(
            session, clock, actor=reviewer, power_id=power.id, confirm=True, settings=settings
        )
        # Confirmed: no more edits, a second decision is stale.
        with pytest.raises(ServiceError, match=r"register.power_is_confirmed"):
            await powers.withdraw_power(session, clock, actor=staff, power_id=power.id)
        with pytest.raises(ServiceError, match=r"register.power_is_confirmed"):
            await powers.review_power(
                session, clock, actor=reviewer, power_id=power.id, confirm=True, settings=settings
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
    sessionmaker: SessionMaker, clock: FakeClock, org: People, settings: Settings
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        power = await powers.add_power(
            session, clock, actor=staff, draft=power_draft(), settings=settings
        )
        outsider = await session.get(Person, org.outsider_id)
        forged = {"field": "name", "value": "x"}  # an edit of someone else's power
        for attempt in (
            powers.get_visible(session, outsider, power.id),
            powers.edit_power(
                session,
                clock,
                actor=outsider,
                power_id=power.id,
                settings=settings,
                **forged,
            ),
            powers.withdraw_power(session, clock, actor=outsider, power_id=power.id),
        ):
            with pytest.raises(ServiceError, match=r"register.not_found"):
                await attempt
        colleague = await session.get(Person, org.colleague_id)
        assert (await powers.get_visible(session, colleague, power.id)).id == power.id
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await powers.withdraw_power(session, clock, actor=colleague, power_id=power.id)


async def test_categories_configurable_per_unit(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, settings: Settings
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
            await powers.add_power(
                session, clock, actor=staff, draft=power_draft(), settings=settings
            )


async def test_declaration_is_all_or_nothing(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    settings: Settings,
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        past = MeasureDraft("过期措施", date(2026, 1, 1))
        with pytest.raises(ServiceError, match=r"register.date_past"):
            await risks.declare_risk(
                session,
                clock,
                actor=staff,
                draft=risk_draft(MeasureDraft("好", SOON), past),
                settings=settings,
            )
        outsider_measure = MeasureDraft("交给外单位", SOON, responsible_id=org.outsider_id)
        with pytest.raises(ServiceError, match=r"register.bad_responsible"):
            await risks.declare_risk(
                session, clock, actor=staff, draft=risk_draft(outsider_measure), settings=settings
            )
        with pytest.raises(ServiceError, match=r"register.text_too_long"):
            await risks.declare_risk(
                session,
                clock,
                actor=staff,
                draft=risk_draft(description="长" * 1001),
                settings=settings,
            )
        with pytest.raises(ServiceError, match=r"register.bad_factors"):
            await risks.declare_risk(
                session,
                clock,
                actor=staff,
                draft=risk_draft(factors=FACTORS | {"harm": 6}),
                settings=settings,
            )
    assert await count(sessionmaker, RiskPoint) == 0
    assert await count(sessionmaker, ControlMeasure) == 0


async def test_declare_with_two_measures(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    settings: Settings,
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
        risk = await risks.declare_risk(
            session,
            clock,
            actor=staff,
            draft=risk_draft(
                MeasureDraft("审批结果公示", SOON, rule_id=rule.id),
                MeasureDraft("双人复核", date(2027, 3, 31), responsible_id=org.colleague_id),
                focus_programme="合作医疗",
            ),
            settings=settings,
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
            await risks.declare_risk(
                session,
                clock,
                actor=staff,
                draft=risk_draft(MeasureDraft("x", SOON, rule_id=other.id)),
                settings=settings,
            )
        rules, total = await rules_for_unit(session, org.department_id)
        assert total == 1 and rules[0].id == rule.id
    async with unit_of_work(sessionmaker) as session:
        outsider = await session.get(Person, org.outsider_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.get_visible(session, outsider, risk.id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.risks_of_post(session, outsider, org.post_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.withdraw_risk(
                session, clock, actor=outsider, risk_id=risk.id, settings=settings
            )
        staff = await session.get(Person, org.staff_id)
        # The review has taken it up (social review): the holder no longer edits it there.
        with pytest.raises(ServiceError, match=r"register.risk_locked"):
            await risks.edit_risk(
                session,
                clock,
                actor=staff,
                risk_id=risk.id,
                field="description",
                value="新描述",
                settings=settings,
            )
        withdrawn = await risks.withdraw_risk(
            session, clock, actor=staff, risk_id=risk.id, settings=settings
        )
        assert withdrawn.status == "withdrawn"
        with pytest.raises(ServiceError, match=r"register.risk_locked"):
            await risks.edit_risk(
                session,
                clock,
                actor=staff,
                risk_id=risk.id,
                field="description",
                value="再改",
                settings=settings,
            )


async def test_top_down_confirmed_and_disputed(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    settings: Settings,
) -> None:
    async with unit_of_work(sessionmaker) as session:
        reviewer = await session.get(Person, org.reviewer_id)
        other_reviewer = await session.get(Person, org.other_reviewer_id)
        with pytest.raises(NotAllowed):
            await risks.propose_risk(
                session, clock, actor=other_reviewer, post_id=org.post_id,
                description="x", risk_type="duty", settings=settings)  # fmt: skip
        first = await risks.propose_risk(
            session, clock, actor=reviewer, post_id=org.post_id,
            description="审批超时限", risk_type="process", settings=settings)  # fmt: skip
        second = await risks.propose_risk(
            session, clock, actor=reviewer, post_id=org.post_id,
            description="收受红包", risk_type="moral", settings=settings)  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        assert [r.id for r in await risks.proposals_for(session, staff)] == [first.id, second.id]
        colleague = await session.get(Person, org.colleague_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.answer_proposal(
                session, clock, actor=colleague, risk_id=first.id, accept=True, settings=settings
            )
        accepted = await risks.answer_proposal(
            session, clock, actor=staff, risk_id=first.id, accept=True, settings=settings
        )
        assert accepted.status == "draft" and accepted.created_by_id == org.staff_id
        with pytest.raises(ServiceError, match=r"register.text_empty"):
            await risks.answer_proposal(
                session, clock, actor=staff, risk_id=second.id, accept=False, settings=settings
            )
        disputed = await risks.answer_proposal(
            session,
            clock,
            actor=staff,
            risk_id=second.id,
            accept=False,
            reason="本岗位不经手现金",
            settings=settings,
        )
        assert disputed.status == "disputed"
        # Stale: answering again is refused by the state machine.
        with pytest.raises(ServiceError, match=r"workflow.illegal.disputed"):
            await risks.answer_proposal(
                session, clock, actor=staff, risk_id=second.id, accept=True, settings=settings
            )
        done = await risks.complete_draft(
            session, clock, actor=staff, risk_id=first.id, factors=FACTORS,
            measures=[MeasureDraft("限时办结", SOON)], settings=settings)  # fmt: skip
        assert done.status == "social_review" and len(done.measures) == 1
        texts = [
            m.payload["text"]
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id == org.reviewer)
            )
        ]
        assert any("本岗位不经手现金" in t for t in texts)


async def test_leadership_three_steps(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    settings: Settings,
) -> None:
    async with unit_of_work(sessionmaker) as session:
        leader = await session.get(Person, org.leader_id)
        risk = await risks.declare_risk(
            session, clock, actor=leader, draft=risk_draft(), settings=settings
        )
        assert risk.status == "collective_discussion"
        with pytest.raises(ServiceError, match=r"workflow.illegal.collective_discussion"):
            await risks.confirm_self_review(
                session, clock, actor=leader, risk_id=risk.id, settings=settings
            )
        with pytest.raises(ServiceError, match=r"register.date_future"):
            await risks.record_discussion(
                session, clock, actor=leader, risk_id=risk.id,
                held_on=date(2027, 1, 1), summary="班子会议", settings=settings)  # fmt: skip
        await risks.record_discussion(
            session, clock, actor=leader, risk_id=risk.id,
            held_on=date(2026, 11, 20), summary="班子会议集体研究，同意",
            settings=settings)  # fmt: skip
        done = await risks.confirm_self_review(
            session, clock, actor=leader, risk_id=risk.id, settings=settings
        )
        assert done.status == "standing_committee" and done.self_reviewed_at == clock.now()
        to_admin = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.chat_id == org.admin)
        )
        assert to_admin is not None


async def test_measure_report_and_overdue(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    settings: Settings,
) -> None:
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        risk = await risks.declare_risk(
            session,
            clock,
            actor=staff,
            draft=risk_draft(
                MeasureDraft("公示", date(2026, 11, 30)),
                MeasureDraft("复核", date(2026, 11, 30), responsible_id=org.colleague_id),
            ),
            settings=settings,
        )
        first, second = (m.id for m in risk.measures)
        outsider = await session.get(Person, org.outsider_id)
        with pytest.raises(ServiceError, match=r"register.not_found"):
            await risks.report_measure(
                session,
                clock,
                actor=outsider,
                measure_id=first,
                status="done",
                note="x",
                settings=settings,
            )
        colleague = await session.get(Person, org.colleague_id)
        await risks.report_measure(
            session,
            clock,
            actor=colleague,
            measure_id=second,
            status="done",
            note="已复核",
            settings=settings,
        )
        await risks.report_measure(
            session,
            clock,
            actor=staff,
            measure_id=first,
            status="in_progress",
            note="进行中",
            settings=settings,
        )
    clock.advance(timedelta(days=5))
    async with unit_of_work(sessionmaker) as session:
        overdue = await risks.overdue_measures(session, date(2026, 12, 1))
        assert [m.id for m in overdue] == [first]
        assert await risks.overdue_measures(session, date(2026, 11, 30)) == []
