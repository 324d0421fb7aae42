"""A risk point taken to approved, active, and due for re-grading through the services, in
the register kit's organisation (with a department reviewer 周审核 added)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.domain.risk_workflow import Action
from bot.domain.roles import Role
from bot.services import review as review_service
from bot.services import risks
from bot.services.review import Decision, ReviewConfig
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person, RoleAssignment
from tests.kit.register import People, load, make_people
from tests.kit.uow import unit_of_work

LOW = dict.fromkeys(("importance", "discretion", "public", "likelihood", "harm"), 1)
HIGH = dict.fromkeys(LOW, 5)
DEPT_REVIEWER = 7150


async def make_regrading_org(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    people = await make_people(sessionmaker, clock)
    async with unit_of_work(sessionmaker) as session:
        session.add(
            Person(
                telegram_id=DEPT_REVIEWER, name="周审核", unit_id=people.department_id,
                language="zh",
                role_assignments=[
                    RoleAssignment(role=Role.REVIEWER.value, unit_id=people.department_id)
                ],
            )
        )  # fmt: skip
        await session.commit()
    return people


async def dept_reviewer(sessionmaker: SessionMaker) -> Person:
    async with unit_of_work(sessionmaker) as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == DEPT_REVIEWER))
        assert person is not None
        return person


async def approved_risk(
    sessionmaker: SessionMaker, clock: FakeClock, config: ReviewConfig, org: People
) -> int:
    """A level-3 risk declared, reviewed by the department, approved by the bureau."""
    staff = await load(sessionmaker, org.staff_id)
    async with unit_of_work(sessionmaker) as session:
        risk = await risks.declare_risk(
            session, clock, actor=staff, settings=config.settings,
            draft=RiskDraft(
                description="窗口受理优亲厚友", risk_type="process", factors=LOW,
                measures=[MeasureDraft(action="双人受理", deadline=date(2027, 3, 31))],
            ),
        )  # fmt: skip
        risk_id = risk.id
    dept = await dept_reviewer(sessionmaker)
    bureau = await load(sessionmaker, org.reviewer_id)
    for actor, action in ((dept, Action.PASS_REVIEW), (bureau, Action.APPROVE)):
        async with unit_of_work(sessionmaker) as session:
            await review_service.transition(
                session, clock, config, actor=actor, risk_id=risk_id, decision=Decision(action)
            )
    return risk_id


async def due_risk(
    sessionmaker: SessionMaker, clock: FakeClock, config: ReviewConfig, org: People
) -> int:
    risk_id = await approved_risk(sessionmaker, clock, config, org)
    async with unit_of_work(sessionmaker) as session:
        await review_service.mark_publicised(session, clock, config, risk_ids=[risk_id])
    clock.advance(config.regrading_period + timedelta(hours=1))
    async with unit_of_work(sessionmaker) as session:
        assert await review_service.mark_regrading_due(session, clock, config) == [risk_id]
    return risk_id


# Fixtures for the re-grading tests, imported by the modules that use them (pytest finds a
# fixture by the name it is registered under).
@pytest.fixture(name="org")
async def regrading_org(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    """The register kit's organisation with the department reviewer 周审核."""
    return await make_regrading_org(sessionmaker, clock)


@pytest.fixture(name="config")
def regrading_config(settings: Settings) -> ReviewConfig:
    """The review's settings with no social review window (records go straight on)."""
    return ReviewConfig.from_settings(settings.model_copy(update={"social_review_days": 0}))


@pytest.fixture(name="risk_id")
async def due_risk_id(
    sessionmaker: SessionMaker, clock: FakeClock, config: ReviewConfig, org: People
) -> int:
    """王芳's risk, approved and now due for re-grading."""
    return await due_risk(sessionmaker, clock, config, org)
