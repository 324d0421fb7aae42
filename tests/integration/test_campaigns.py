"""The campaign service against the database: authority and input checks that leave the
database untouched, progress recomputed from the register, and reminders that are queued once,
withdrawn while still pending when the work gets done, and cancelled when the campaign closes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.campaign_rules import Requirement
from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.risk_workflow import RiskState
from bot.domain.roles import Role
from bot.services import campaigns
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.campaign import Campaign
from storage.models.org import RoleAssignment
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint
from tests.kit.register import People, load, make_people
from tests.kit.rows import outbox_rows
from tests.kit.uow import unit_of_work

MORNING = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)  # 09:30 in Asia/Shanghai
DEADLINE = date(2026, 12, 3)  # a week on: the first offset is due today


async def new_campaign(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    people: People,
    requirement: Requirement,
    units: list[int] | None = None,
) -> int:
    async with unit_of_work(sessionmaker) as session:
        admin = await load(sessionmaker, people.admin_id)
        campaign = await campaigns.create_campaign(
            session, clock, settings, actor=admin, name="专项", requirement=requirement.value,
            unit_ids=units or [people.bureau_id], deadline=DEADLINE,
        )  # fmt: skip
        return campaign.id


async def reminders(sessionmaker: SessionMaker) -> list[OutboxMessage]:
    return await outbox_rows(sessionmaker, OutboxMessage.kind == campaigns.KIND)


async def run(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> int:
    async with unit_of_work(sessionmaker) as session:
        return await campaigns.remind(session, clock, settings, clock.now())


async def test_reminded_once_then_pending_one_withdrawn_when_done(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(MORNING)
    people = await make_people(sessionmaker, clock)
    await new_campaign(sessionmaker, clock, settings, people, Requirement.POWERS)
    # 卫生局's subtree: 王芳 (医政审批岗) and 陈局长 (局长); 赵敏 in 财政局 is out of scope.
    assert await run(sessionmaker, clock, settings) == 2
    assert await run(sessionmaker, clock, settings) == 0
    rows = await reminders(sessionmaker)
    assert sorted(row.chat_id for row in rows) == sorted([people.staff, people.leader])
    assert all(row.dedup_key and row.dedup_key.endswith(":d7") for row in rows)

    # The day before, late at night (a restart in quiet hours): queued for the morning …
    clock.set(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # 23:00 local
    assert await run(sessionmaker, clock, settings) == 2
    # … and 王芳 inventories a power before it goes out: her pending reminder is withdrawn.
    async with unit_of_work(sessionmaker) as session:
        session.add(
            Power(
                unit_id=people.department_id, post_id=people.post_id, name="医疗机构执业许可",
                category="行政许可", scope="external", status="submitted",
                created_at=clock.now(), updated_at=clock.now(),
            )
        )  # fmt: skip
        await session.commit()
    assert await run(sessionmaker, clock, settings) == 0
    by_chat = {
        (row.chat_id, row.dedup_key.rsplit(":", 1)[1]): row.status  # type: ignore[union-attr]
        for row in await reminders(sessionmaker)
    }
    assert by_chat[(people.staff, "d1")] == OutboxStatus.CANCELLED.value
    assert by_chat[(people.leader, "d1")] == OutboxStatus.PENDING.value


async def test_closing_cancels_pending_reminders_and_stops_new_ones(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # 23:00 local: rows stay pending
    people = await make_people(sessionmaker, clock)
    campaign_id = await new_campaign(sessionmaker, clock, settings, people, Requirement.RISKS)
    assert await run(sessionmaker, clock, settings) == 2
    async with unit_of_work(sessionmaker) as session:
        admin = await load(sessionmaker, people.admin_id)
        await campaigns.close_campaign(session, clock, actor=admin, campaign_id=campaign_id)
    assert {row.status for row in await reminders(sessionmaker)} == {"cancelled"}
    clock.advance(timedelta(days=14))
    assert await run(sessionmaker, clock, settings) == 0
    async with unit_of_work(sessionmaker) as session:
        admin = await load(sessionmaker, people.admin_id)
        with pytest.raises(ServiceError):  # a stale "close" pressed again
            await campaigns.close_campaign(session, clock, actor=admin, campaign_id=campaign_id)


async def test_done_per_requirement_from_the_register(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    clock.set(MORNING)
    people = await make_people(sessionmaker, clock)
    async with unit_of_work(sessionmaker) as session:
        risk = RiskPoint(
            post_id=people.post_id, description="审批不公", risk_type="process",
            status=RiskState.REGRADING_DUE.value, created_at=MORNING, updated_at=MORNING,
        )  # fmt: skip
        session.add(risk)
        await session.flush()
        measure = ControlMeasure(
            risk_id=risk.id, action="双人复核", deadline=DEADLINE, created_at=MORNING,
            updated_at=MORNING,
        )  # fmt: skip
        session.add(measure)
        await session.commit()

    async def done_posts(requirement: Requirement) -> set[int]:
        async with unit_of_work(sessionmaker) as session:
            progress = await campaigns.compute_progress(
                session, [people.district_id], requirement, DEADLINE, MORNING
            )
            return {p.post.id for u in progress.units for p in u.posts if p.done}

    others = {people.leader_post_id, people.other_post_id}
    assert await done_posts(Requirement.RISKS) == {people.post_id}
    assert await done_posts(Requirement.REGRADING) == others
    assert await done_posts(Requirement.POWERS) == set()
    assert await done_posts(Requirement.MEASURES) == others
    async with unit_of_work(sessionmaker) as session:
        session.add(
            MeasureReport(
                measure_id=measure.id,
                status="in_progress",
                note="已复核",
                at=MORNING + timedelta(1),
            )
        )
        await session.commit()
    assert await done_posts(Requirement.MEASURES) == others | {people.post_id}


async def test_authority_and_bad_input_change_nothing(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(MORNING)
    people = await make_people(sessionmaker, clock)
    # A reviewer of 卫生局 who is also a unit admin there.
    async with unit_of_work(sessionmaker) as session:
        session.add(
            RoleAssignment(person_id=people.reviewer_id, role=Role.ADMIN.value,
                           unit_id=people.bureau_id)
        )  # fmt: skip
        await session.commit()
    staff = await load(sessionmaker, people.staff_id)
    unit_admin = await load(sessionmaker, people.reviewer_id)
    admin = await load(sessionmaker, people.admin_id)

    async def attempt(actor: object, **changes: object) -> None:
        values: dict[str, object] = {
            "name": "专项", "requirement": "powers", "unit_ids": [people.bureau_id],
            "deadline": DEADLINE,
        } | changes  # fmt: skip
        async with unit_of_work(sessionmaker) as session:
            await campaigns.create_campaign(session, clock, settings, actor=actor, **values)  # type: ignore[arg-type]

    with pytest.raises(NotAllowed):
        await attempt(staff)
    with pytest.raises(NotAllowed):
        await attempt(unit_admin, unit_ids=[people.other_unit_id])
    with pytest.raises(ServiceError, match=r"campaign\.past_date"):
        await attempt(admin, deadline=date(2026, 11, 25))
    with pytest.raises(ServiceError, match=r"campaign\.bad_name"):
        await attempt(admin, name="长" * 61)
    with pytest.raises(ServiceError, match=r"fallback\.stale_button"):
        await attempt(admin, requirement="everything")
    async with unit_of_work(sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(Campaign)) == 0

    # The unit admin's own campaign; the commission's over 财政局 is not theirs to see.
    await attempt(unit_admin)
    await attempt(admin, unit_ids=[people.other_unit_id])
    async with unit_of_work(sessionmaker) as session:
        assert [c.name for c in await campaigns.campaigns_for(session, unit_admin)] == ["专项"]
        assert len(await campaigns.campaigns_for(session, admin)) == 2
        other = await session.scalar(select(Campaign).order_by(Campaign.id.desc()))
        assert other is not None
        with pytest.raises(ServiceError, match=r"campaign\.not_found"):
            await campaigns.close_campaign(session, clock, actor=unit_admin, campaign_id=other.id)
        assert await campaigns.admin_scope(session, admin) is None
        assert await campaigns.admin_scope(session, unit_admin) == {
            people.bureau_id,
            people.department_id,
        }
