"""The digest run against the database: subscribed leaders get one digest per period (run
twice or after downtime: once), with the overview's headline for their scope, the most overdue
measures and a chart; the register is counted once per run however many are due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo import seed_demo
from bot.demo.seed_scale import generate
from bot.domain.clock import FakeClock
from bot.domain.digest_rules import SubscriptionAction
from bot.domain.errors import NotAllowed, ServiceError
from bot.services.stats import subscriptions
from bot.services.stats.digests import send_due_digests
from bot.services.stats.overview import Scope, overview
from bot.services.stats.scope import UnitTree, scope_of
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.digest import DigestSubscription, OutboxFile
from storage.models.org import Person, Unit
from storage.models.outbox import OutboxMessage
from tests.kit.db import counting

MONDAY = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)  # 09:05 in Shanghai


async def people(sessionmaker: SessionMaker) -> dict[str, Person]:
    async with sessionmaker() as session:
        return {p.name: p for p in await session.scalars(select(Person))}


async def run(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, now: datetime):
    async with sessionmaker() as session:
        result = await send_due_digests(session, now=now, clock=clock, settings=settings)
        await session.commit()
    return result


async def digests(sessionmaker: SessionMaker) -> list[OutboxMessage]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id)
        )
        return list(rows)


@pytest.fixture
async def district(sessionmaker: SessionMaker, clock: FakeClock) -> None:
    await seed_demo(sessionmaker, clock)
    async with sessionmaker() as session:
        await generate(session, scale=1, today=clock.now().date())
        await session.commit()


async def test_a_weekly_digest_once_per_week_with_the_seed_headline(
    district: None, sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    async with sessionmaker() as session:
        leader = await session.scalar(select(Person).where(Person.name == "赵区长"))
        await subscriptions.subscribe(session, clock, leader, "weekly", 9)
        await session.commit()
    assert (await run(sessionmaker, clock, settings, MONDAY - timedelta(hours=1))).due == 0
    first = await run(sessionmaker, clock, settings, MONDAY)
    assert (first.due, first.queued, first.charts) == (1, 1, 1)
    assert (await run(sessionmaker, clock, settings, MONDAY + timedelta(minutes=5))).due == 0
    (row,) = await digests(sessionmaker)
    assert row.dedup_key.endswith(":w:2026-W49") and row.priority == 100
    assert row.payload["method"] == "sendPhoto"
    caption = row.payload["caption"]
    assert "长安区" in caption and "风险点 2351 个" in caption  # the seed's total
    assert "这是您的第一份简报" in caption and caption.count("逾期 ") >= 5
    async with sessionmaker() as session:
        chart = await session.get(OutboxFile, row.payload["photo"]["outbox_file"])
        assert chart is not None and chart.data[:4] == b"\x89PNG"
        figures = await overview(session, Scope.district(), today=MONDAY.date())
    assert f"逾期措施 {figures.total.measures_overdue} 项" in caption

    # Three weeks down: one digest, for the latest week, with what changed.
    later = await run(sessionmaker, clock, settings, MONDAY + timedelta(days=22))
    assert (later.due, later.queued) == (1, 1)
    rows = await digests(sessionmaker)
    assert rows[-1].dedup_key.endswith(":w:2026-W52") and len(rows) == 2
    assert "与上次简报相比：新增风险点 ±0" in rows[-1].payload["caption"]


async def test_paused_digests_wait_and_the_commission_subscribes_a_units_leaders(
    district: None, sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    named = await people(sessionmaker)
    async with sessionmaker() as session:
        health = await session.scalar(select(Unit.id).where(Unit.path == "长安区/卫生局"))
        admin = await session.get(Person, named["李纪委"].id)
        staff = await session.get(Person, named["王芳"].id)
        with pytest.raises(ServiceError):
            await subscriptions.subscribe(session, clock, staff, "weekly", 9)
        with pytest.raises(NotAllowed):
            await subscriptions.subscribe_unit_leaders(session, clock, staff, health or 0)
        added = await subscriptions.subscribe_unit_leaders(session, clock, admin, health or 0)
        # 孙局长 and the generated bureau head of 卫生局.
        assert "孙局长" in [p.name for p in added] and len(added) == 2
        again = await subscriptions.subscribe_unit_leaders(session, clock, admin, health or 0)
        assert again == []
        head = await session.get(Person, named["孙局长"].id)
        await subscriptions.move(session, clock, head, SubscriptionAction.PAUSE)
        with pytest.raises(ServiceError):
            await subscriptions.move(session, clock, head, SubscriptionAction.PAUSE)
        await session.commit()
    result = await run(sessionmaker, clock, settings, MONDAY)
    assert (result.due, result.queued) == (1, 1)  # the paused one waits
    (row,) = await digests(sessionmaker)
    assert row.person_id != named["孙局长"].id and "长安区/卫生局" in row.payload["caption"]
    assert "风险点 2351 个" not in row.payload["caption"]


async def test_the_register_is_counted_once_however_many_are_due(
    sessionmaker: SessionMaker, engine: AsyncEngine, clock: FakeClock, settings: Settings
) -> None:
    async with sessionmaker() as session:
        await generate(session, scale=2, today=clock.now().date())
        leaders = (
            (
                await session.scalars(
                    select(Person)
                    .join(Person.role_assignments)
                    .where(Person.role_assignments.any(role="leader"))
                )
            )
            .unique()
            .all()
        )
        assert len(leaders) == 26
        await subscriptions.subscribe(session, clock, leaders[0], "weekly", 9)
        await session.commit()
    with counting(engine) as one:
        assert (await run(sessionmaker, clock, settings, MONDAY)).queued == 1
    async with sessionmaker() as session:
        for leader in leaders[1:]:
            await subscriptions.subscribe(
                session, clock, await session.get(Person, leader.id), "weekly", 9
            )
        await session.commit()
    with counting(engine) as many:
        assert (await run(sessionmaker, clock, settings, MONDAY + timedelta(days=7))).queued == 26
    assert len(many) <= len(one) + 3  # a few more for bulk rows and files, never per leader


async def test_the_batch_scopes_match_the_per_person_ones(
    district: None, sessionmaker: SessionMaker
) -> None:
    async with sessionmaker() as session:
        tree = await UnitTree.load(session)
        for person in await session.scalars(select(Person)):
            try:
                expected = await scope_of(session, person)
            except ServiceError:
                expected = None
            assert tree.scope_of(person) == expected, person.name
    assert DigestSubscription.__tablename__ == "digest_subscriptions"
