"""Scheduled scans cost statements by the kind of work, not by the size of the register.

Every periodic job (`bot/scheduling/jobs.py`) runs over a register of N risk points of each
kind it looks at (waiting in review, due for re-grading, measures due and overdue, active risks
not yet due, social reviews still open), then over ten times as many: the statements each run
takes are counted (SQLAlchemy's `before_cursor_execute`), never timed, and must be the same.
The reminders still reach everyone (more of them the second time). Timings at 1, 10 and 100
districts are printed by `make bench-startup`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.domain.risk_workflow import Action, RiskState
from bot.scheduling.jobs import all_jobs
from bot.scheduling.runner import run_job
from bot.settings import Settings
from storage.db import SessionMaker, counting_statements
from storage.models.audit import AuditLog
from storage.models.outbox import OutboxMessage
from storage.models.register import ControlMeasure, RiskPoint
from storage.models.review import RiskReview
from tests.kit.register import People, make_people
from tests.kit.uow import unit_of_work

MORNING = datetime(2027, 3, 1, 1, 5, tzinfo=UTC)  # 09:05 in Shanghai: the daily scans are due
N = 10
FACTORS = {"importance": 4, "discretion": 3, "public": 2, "likelihood": 4, "harm": 3}


def _risk(post_id: int, status: RiskState, at: datetime, created_by: int | None) -> RiskPoint:
    return RiskPoint(
        post_id=post_id, description="审批不公" * 20, risk_type="other", status=status.value,
        created_by_id=created_by, created_at=at, updated_at=at, **FACTORS,
    )  # fmt: skip


async def add_register(
    sessionmaker: SessionMaker, people: People, count: int, now: datetime
) -> None:
    """`count` risk points of each kind the scans look at, as of `now`."""
    long_ago = now - timedelta(days=25)  # past every reminder's and escalation's limit
    async with unit_of_work(sessionmaker) as session:
        for _ in range(count):
            waiting = [
                _risk(people.post_id, RiskState.GRADED_REVIEW, long_ago, people.staff_id),
                _risk(people.other_post_id, RiskState.ORG_APPROVAL, long_ago, people.outsider_id),
                _risk(people.post_id, RiskState.DISPUTED, long_ago, None),
                _risk(people.leader_post_id, RiskState.STANDING_COMMITTEE, long_ago, None),
            ]
            due = _risk(people.post_id, RiskState.REGRADING_DUE, long_ago, people.staff_id)
            active = _risk(people.post_id, RiskState.PUBLICISED, long_ago, people.staff_id)
            social = _risk(people.post_id, RiskState.SOCIAL_REVIEW, now, people.staff_id)
            session.add_all([*waiting, due, active, social])
            await session.flush()
            session.add_all(
                [
                    AuditLog(
                        at=long_ago,
                        channel="scheduler",
                        entity_type="risk_points",
                        entity_id=due.id,
                        action=f"risk.{Action.REGRADING_DUE.value}",
                    ),
                    RiskReview(
                        risk_id=active.id, version=1, regrading_due_at=now + timedelta(days=90)
                    ),
                    RiskReview(
                        risk_id=social.id, version=1, social_closes_at=now + timedelta(days=30)
                    ),
                    *(
                        ControlMeasure(
                            risk_id=active.id,
                            action="双人复核",
                            responsible_id=people.staff_id,
                            deadline=(now + timedelta(days=days)).date(),
                            status="planned",
                            created_at=now,
                            updated_at=now,
                        )
                        for days in (1, -10)
                    ),
                ]
            )
        await session.commit()


async def statements_per_job(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> dict[str, int]:
    counts = {}
    for job in all_jobs(settings):
        with counting_statements() as count:
            await run_job(job.run, sessionmaker, clock, settings, clock.now())
        counts[job.name] = count.statements
    return counts


async def reminders(sessionmaker: SessionMaker) -> dict[str, int]:
    async with unit_of_work(sessionmaker) as session:
        rows = await session.execute(
            select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
        )
        return {kind: count for kind, count in rows}


async def test_every_scan_takes_the_same_statements_over_ten_times_the_register(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(MORNING)
    people = await make_people(sessionmaker, clock)
    await add_register(sessionmaker, people, N, clock.now())
    small = await statements_per_job(sessionmaker, clock, settings)
    sent_small = await reminders(sessionmaker)

    clock.advance(timedelta(days=7))  # a week on: every reminder is due again
    await add_register(sessionmaker, people, 9 * N, clock.now())
    large = await statements_per_job(sessionmaker, clock, settings)
    sent_large = await reminders(sessionmaker)

    print(f"statements per job at {N} and {10 * N} risk points of each kind: {small} {large}")
    assert large == small
    for kind in ("remind.measure", "remind.review", "remind.regrading"):
        assert sent_small.get(kind, 0) > 0, (kind, sent_small)
        assert sent_large[kind] > sent_small[kind], (kind, sent_large)
    # A measure reminder per measure: 2 per active risk, both runs.
    assert sent_large["remind.measure"] == 2 * N + 2 * 10 * N
