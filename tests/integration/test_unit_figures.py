"""The kept per-unit figures (`unit_figures`, migration 0021) against a count from scratch:
random sequences of register writes — through the services, and as the importers write, by
bulk Core inserts, updates and deletes — with refreshes in between or not, and the overview
asked on days either side of the measures' deadlines; after every step the overview's own
figures per unit equal `counts.count_all`'s, on every backend."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import FakeClock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import RISK_TYPES
from bot.domain.stats import COUNTED_STATES, Figures
from bot.services import powers, risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.services.stats import counts, summary
from bot.services.stats.feedback_source import feedback_by_unit
from bot.services.stats.overview import DEFAULT_REVIEW_LIMIT_DAYS, Scope, overview
from storage.db import SessionMaker
from storage.models.org import Person, Post, Unit
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint
from storage.models.unit_figures import UnitFiguresDirty
from tests.kit.register import People, make_people
from tests.kit.uow import ServiceCall, unit_of_work

FACTORS = {"importance": 4, "discretion": 3, "public": 3, "likelihood": 3, "harm": 3}
STATES = (*COUNTED_STATES, "draft", "withdrawn", "proposed")
MEASURE_STATES = ("planned", "in_progress", "done", "blocked")


async def scratch(session: AsyncSession, scope: Scope, today: date) -> dict[int, Figures]:
    """Each unit's own figures counted from the register alone, as before `unit_figures`."""
    now = datetime.combine(today, time(23, 59), tzinfo=UTC)
    limit = now - timedelta(days=DEFAULT_REVIEW_LIMIT_DAYS)
    units, own = await counts.count_all(session, scope.unit_ids, today=today, now=now, limit=limit)
    feedback = await feedback_by_unit(session, scope.unit_ids, today=today)
    return {u.id: Figures(**own.get(u.id, {}), **feedback.get(u.id, {})) for u in units}


async def check(sessionmaker: SessionMaker, scope: Scope, today: date) -> None:
    async with unit_of_work(sessionmaker) as session:
        kept = await overview(session, scope, today=today)
        expected = await scratch(session, scope, today)
    got = {u.unit_id: u.own for u in kept.units}
    assert got.keys() == expected.keys()
    differ = {
        (unit_id, name): (value, getattr(expected[unit_id], name))
        for unit_id, own in got.items()
        for name, value in vars(own).items()
        if value != getattr(expected[unit_id], name)
    }
    assert not differ, (today, differ)


class Register:
    """Random writes over `People`'s organisation and the posts added along the way."""

    def __init__(self, rng: random.Random, org: People, clock: FakeClock, call: ServiceCall):
        self.rng, self.org, self.clock, self.call = rng, org, clock, call
        self.today = clock.now().date()
        self.bulk_risks: list[int] = []
        self.bulk_posts: list[int] = []
        self.n = 0

    def deadline(self) -> date:
        return self.today + timedelta(days=self.rng.randint(-20, 40))

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    async def posts_and_units(self, session: AsyncSession) -> tuple[list[int], list[int]]:
        posts = list(await session.scalars(select(Post.id).order_by(Post.id)))
        units = list(await session.scalars(select(Unit.id).order_by(Unit.id)))
        return posts, units

    # Through the services.
    async def add_power(self, session: AsyncSession) -> None:
        staff = await session.get_one(Person, self.org.staff_id)
        draft = powers.PowerDraft(
            name=self.name("职权"),
            content="审批",
            subject="医政科",
            legal_basis="条例",
            category="行政许可/审批",
            scope=self.rng.choice(["external", "internal"]),
        )
        await self.call(session, powers.add_power, actor=staff, draft=draft)

    async def declare(self, session: AsyncSession) -> None:
        staff = await session.get_one(Person, self.org.staff_id)
        later = self.today + timedelta(days=self.rng.randint(1, 30))
        measures = tuple(
            MeasureDraft(self.name("措施"), later) for _ in range(self.rng.randint(1, 2))
        )
        draft = RiskDraft(
            description=self.name("风险"),
            risk_type=self.rng.choice(RISK_TYPES),
            factors=FACTORS,
            measures=measures,
        )
        await self.call(session, risks.declare_risk, actor=staff, draft=draft)

    async def staff_risk(self, session: AsyncSession) -> int | None:
        ids = list(
            await session.scalars(
                select(RiskPoint.id).where(RiskPoint.post_id == self.org.post_id)
            )
        )
        return self.rng.choice(ids) if ids else None

    async def withdraw(self, session: AsyncSession) -> None:
        staff = await session.get_one(Person, self.org.staff_id)
        risk_id = await self.staff_risk(session)
        if risk_id is not None:
            await self.call(session, risks.withdraw_risk, actor=staff, risk_id=risk_id)

    async def report(self, session: AsyncSession) -> None:
        staff = await session.get_one(Person, self.org.staff_id)
        measure_ids = list(
            await session.scalars(
                select(ControlMeasure.id)
                .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
                .where(RiskPoint.post_id == self.org.post_id)
            )
        )
        if measure_ids:
            status = self.rng.choice(["in_progress", "done", "blocked"])
            await self.call(
                session,
                risks.report_measure,
                actor=staff,
                measure_id=self.rng.choice(measure_ids),
                status=status,
                note="已落实",
            )

    # As the importers write: Core statements, many rows at once.
    async def bulk_insert(self, session: AsyncSession) -> None:
        rng, now = self.rng, self.clock.now()
        posts, units = await self.posts_and_units(session)
        new_posts = (
            list(
                await session.scalars(
                    insert(Post).returning(Post.id),
                    [
                        {
                            "unit_id": rng.choice(units),
                            "name": self.name("岗位"),
                            "is_leadership": rng.random() < 0.2,
                        }
                        for _ in range(rng.randint(0, 2))
                    ],
                )
            )
            if rng.random() < 0.5
            else []
        )
        self.bulk_posts += new_posts
        posts += new_posts
        await session.execute(
            insert(Power),
            [
                {
                    "unit_id": rng.choice(units),
                    "post_id": rng.choice([None, *posts]),
                    "name": self.name("职权"),
                    "category": rng.choice(["行政许可/审批", "行政处罚/罚款", "内部管理/财务"]),
                    "scope": rng.choice(["external", "internal"]),
                    "status": rng.choice(["submitted", "confirmed", "returned", "withdrawn"]),
                    "created_at": now,
                    "updated_at": now,
                }
                for _ in range(rng.randint(1, 6))
            ],
        )
        risk_rows = [
            {
                "post_id": rng.choice(posts),
                "description": self.name("风险"),
                "risk_type": rng.choice(RISK_TYPES),
                "focus_programme": rng.choice([None, "医保基金"]),
                **FACTORS,
                "suggested_level": rng.choice([None, 1, 2, 3]),
                "level": rng.choice([None, 1, 2, 3]),
                "status": rng.choice(STATES),
                "origin": "bottom_up",
                "created_at": now,
                "updated_at": now - timedelta(days=rng.randint(0, 10)),
            }
            for _ in range(rng.randint(1, 8))
        ]
        risk_ids = list(
            await session.scalars(insert(RiskPoint).returning(RiskPoint.id), risk_rows)
        )
        self.bulk_risks += risk_ids
        measure_rows = [
            {
                "risk_id": risk_id,
                "action": self.name("措施"),
                "deadline": self.deadline(),
                "status": rng.choice(MEASURE_STATES),
                "created_at": now,
                "updated_at": datetime.combine(self.deadline(), time(3), UTC),
            }
            for risk_id in risk_ids
            for _ in range(rng.randint(0, 3))
        ]
        if measure_rows:
            ids = list(
                await session.scalars(
                    insert(ControlMeasure).returning(ControlMeasure.id), measure_rows
                )
            )
            reported = [i for i in ids if rng.random() < 0.4]
            if reported:
                await session.execute(
                    insert(MeasureReport),
                    [
                        {"measure_id": i, "status": "in_progress", "note": "", "at": now}
                        for i in reported
                    ],
                )

    async def bulk_update(self, session: AsyncSession) -> None:
        rng = self.rng
        if not self.bulk_risks:
            return
        chosen = rng.sample(self.bulk_risks, min(len(self.bulk_risks), rng.randint(1, 5)))
        what = rng.randrange(5)
        if what == 0:
            await session.execute(
                update(RiskPoint).where(RiskPoint.id.in_(chosen)).values(status=rng.choice(STATES))
            )
        elif what == 1:
            await session.execute(
                update(RiskPoint)
                .where(RiskPoint.id.in_(chosen))
                .values(level=rng.choice([None, 1, 2, 3]))
            )
        elif what == 2:
            await session.execute(
                update(ControlMeasure)
                .where(ControlMeasure.risk_id.in_(chosen))
                .values(deadline=self.deadline(), status=rng.choice(MEASURE_STATES))
            )
        elif what == 3:  # a post moved to another unit, with its records
            _posts, units = await self.posts_and_units(session)
            if self.bulk_posts:
                await session.execute(
                    update(Post)
                    .where(Post.id == rng.choice(self.bulk_posts))
                    .values(unit_id=rng.choice(units))
                )
        else:
            await session.execute(
                delete(MeasureReport).where(
                    MeasureReport.measure_id.in_(
                        select(ControlMeasure.id).where(ControlMeasure.risk_id.in_(chosen))
                    )
                )
            )

    async def bulk_delete(self, session: AsyncSession) -> None:
        if not self.bulk_risks:
            return
        chosen = self.rng.sample(self.bulk_risks, min(len(self.bulk_risks), 2))
        if self.rng.random() < 0.5:
            await session.execute(delete(ControlMeasure).where(ControlMeasure.risk_id.in_(chosen)))
        else:
            await session.execute(delete(RiskPoint).where(RiskPoint.id.in_(chosen)))
            self.bulk_risks = [r for r in self.bulk_risks if r not in chosen]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_kept_figures_equal_a_count_from_scratch_after_random_writes(
    sessionmaker: SessionMaker, clock: FakeClock, call: ServiceCall, seed: int
) -> None:
    rng = random.Random(seed)
    org = await make_people(sessionmaker, clock)
    register = Register(rng, org, clock, call)
    today = clock.now().date()
    days = [today + timedelta(days=d) for d in (-15, -1, 0, 1, 2, 7, 25, 60)]
    async with unit_of_work(sessionmaker) as session:
        departments = frozenset(
            await session.scalars(
                select(Unit.id).where(Unit.id.in_([org.department_id, org.bureau_id]))
            )
        )
    writes = [
        register.add_power,
        register.declare,
        register.withdraw,
        register.report,
        register.bulk_insert,
        register.bulk_insert,
        register.bulk_update,
        register.bulk_update,
        register.bulk_delete,
    ]
    refreshed = 0
    for _step in range(30):
        if rng.random() < 0.35:
            async with unit_of_work(sessionmaker) as session:
                refreshed += await summary.refresh(session, today=rng.choice(days))
        else:
            write = rng.choice(writes)
            try:
                async with unit_of_work(sessionmaker) as session:
                    await write(session)
            except ServiceError:  # a move the record's state refuses: nothing written
                pass
        day = rng.choice(days)
        await check(sessionmaker, Scope.district(), day)
        await check(sessionmaker, Scope.of(departments), day)
    assert refreshed > 0
    # Refreshed on a day with nothing logged since: every unit's kept row is used.
    async with unit_of_work(sessionmaker) as session:
        await summary.refresh(session, today=today)
    async with unit_of_work(sessionmaker) as session:
        assert await session.scalar(select(UnitFiguresDirty.id).limit(1)) is None
        kept, live = await summary.read(session, None, today=today)
        assert not live and kept
    await check(sessionmaker, Scope.district(), today)
