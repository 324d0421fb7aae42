"""Measure-deadline reminders: the clock is advanced, the runner ticked, the outbox read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.domain.clock import FakeClock
from bot.domain.due import DailyAt
from bot.domain.risk_workflow import RiskState
from bot.i18n import translate
from bot.scheduling.reminders import remind_measures, remind_reviews
from bot.scheduling.runner import JobRunner, PeriodicJob, run_job
from bot.services import review
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint
from tests.kit.org import make_org, make_person
from tests.kit.register import make_people
from tests.kit.rows import outbox_rows
from tests.kit.uow import unit_of_work

# 2026-11-26 09:00 in Asia/Shanghai.
MORNING = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def runner(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> JobRunner:
    job = PeriodicJob("remind_measures", DailyAt(time(9, 0)), remind_measures)
    return JobRunner([job], sessionmaker, clock, settings)


async def add_measure(
    sessionmaker: SessionMaker,
    post_id: int,
    responsible_id: int,
    deadline: date,
    *,
    status: str = MeasureStatus.PLANNED.value,
    risk_status: str = RiskState.PUBLICISED.value,
) -> int:
    async with unit_of_work(sessionmaker) as session:
        risk = RiskPoint(
            post_id=post_id, description="审批不公", risk_type="other", status=risk_status,
            created_at=MORNING, updated_at=MORNING,
        )  # fmt: skip
        session.add(risk)
        await session.flush()
        measure = ControlMeasure(
            risk_id=risk.id, action="双人复核 <审批>", responsible_id=responsible_id,
            deadline=deadline, status=status, created_at=MORNING, updated_at=MORNING,
        )  # fmt: skip
        session.add(measure)
        await session.commit()
        return measure.id


async def test_due_soon_and_overdue_measures_are_reminded_once(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(MORNING)
    org = await make_org(sessionmaker)
    owner = await make_person(sessionmaker, 7001, language="en")
    soon = await add_measure(sessionmaker, org.post_id, owner, TODAY + timedelta(days=2))
    late = await add_measure(sessionmaker, org.post_id, owner, TODAY - timedelta(days=1))
    await add_measure(sessionmaker, org.post_id, owner, TODAY + timedelta(days=10))  # far off
    await add_measure(
        sessionmaker, org.post_id, owner, TODAY, status=MeasureStatus.DONE.value
    )  # done: never reminded
    await add_measure(
        sessionmaker, org.post_id, owner, TODAY, risk_status=RiskState.WITHDRAWN.value
    )

    jobs = runner(sessionmaker, clock, settings)
    assert await jobs.tick() == ["remind_measures"]
    rows = await outbox_rows(sessionmaker)
    assert [r.dedup_key for r in rows] == [
        f"remind:measure:{soon}:2026-11-26",
        f"remind:measure:{late}:overdue:0",
    ]
    assert all(r.chat_id == 7001 and r.kind == "remind.measure" for r in rows)
    expected = translate(
        "reminders.measure_due", "en", action="双人复核 &lt;审批&gt;", deadline="2026-11-28",
        days=2,
    )  # fmt: skip
    assert rows[0].payload["text"] == expected

    # Run again the same day (a second process, or a forced rerun): nothing new.
    await remind_measures_again(sessionmaker, clock, settings)
    assert len(await outbox_rows(sessionmaker)) == 2


async def remind_measures_again(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    await run_job(remind_measures, sessionmaker, clock, settings)


async def test_next_days_remind_daily_until_done_and_overdue_weekly(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(MORNING)
    org = await make_org(sessionmaker)
    owner = await make_person(sessionmaker, 7002)
    soon = await add_measure(sessionmaker, org.post_id, owner, TODAY + timedelta(days=1))
    late = await add_measure(sessionmaker, org.post_id, owner, TODAY - timedelta(days=1))
    jobs = runner(sessionmaker, clock, settings)
    await jobs.tick()
    assert len(await outbox_rows(sessionmaker)) == 2

    clock.advance(timedelta(days=1))  # `soon` is due today; `late` is 2 days late
    assert await jobs.tick() == ["remind_measures"]
    keys = [r.dedup_key for r in await outbox_rows(sessionmaker)]
    assert keys[2:] == [f"remind:measure:{soon}:2026-11-27"]

    async with unit_of_work(sessionmaker) as session:
        measure = await session.get(ControlMeasure, soon)
        assert measure is not None
        measure.status = MeasureStatus.DONE.value
        await session.commit()

    # Down for a week: one catch-up run, the overdue one reminded for its second week only.
    clock.advance(timedelta(days=7))
    assert await jobs.tick() == ["remind_measures"]
    keys = [r.dedup_key for r in await outbox_rows(sessionmaker)]
    assert keys[3:] == [f"remind:measure:{late}:overdue:1"]
    assert await jobs.tick() == []


async def test_reviews_waiting_too_long_remind_who_must_act_once_a_day(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    clock.set(MORNING)
    people = await make_people(sessionmaker, clock)
    graded = await add_measure(
        sessionmaker, people.post_id, people.staff_id, TODAY + timedelta(days=30),
        risk_status=RiskState.GRADED_REVIEW.value,
    )  # fmt: skip
    committee = await add_measure(
        sessionmaker, people.post_id, people.staff_id, TODAY + timedelta(days=30),
        risk_status=RiskState.STANDING_COMMITTEE.value,
    )  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        risk_ids = [
            (await session.get(ControlMeasure, measure_id)).risk_id  # type: ignore[union-attr]
            for measure_id in (graded, committee)
        ]
        config = review.ReviewConfig.from_settings(settings)
        sit = await review.situation(session, config, risk_ids[0])
        reviewers = {
            p.telegram_id for p in await review.people_for_route(session, sit.review_route)
        }
    assert reviewers  # the route has someone to remind

    job = PeriodicJob("remind_reviews", DailyAt(time(9, 0)), remind_reviews)
    jobs = JobRunner([job], sessionmaker, clock, settings)
    await jobs.tick()
    assert [r for r in await outbox_rows(sessionmaker) if r.kind == "remind.review"] == []  # fresh

    clock.advance(timedelta(days=settings.review_reminder_days))
    assert await jobs.tick() == ["remind_reviews"]
    sent = [r for r in await outbox_rows(sessionmaker) if r.kind == "remind.review"]
    by_chat = {r.chat_id: r.payload["text"] for r in sent}
    assert set(by_chat) == reviewers | {people.admin}
    assert f"#{risk_ids[1]} " in by_chat[people.admin]
    assert people.admin not in reviewers and f"#{risk_ids[0]} " not in by_chat[people.admin]
    for chat in reviewers - {people.admin}:
        assert f"#{risk_ids[0]} " in by_chat[chat] and f"#{risk_ids[1]} " not in by_chat[chat]

    # A second run the same day adds nothing; the next day reminds again.
    await run_job(remind_reviews, sessionmaker, clock, settings)
    assert len([r for r in await outbox_rows(sessionmaker) if r.kind == "remind.review"]) == len(
        sent
    )
    clock.advance(timedelta(days=1))
    await jobs.tick()
    assert len(
        [r for r in await outbox_rows(sessionmaker) if r.kind == "remind.review"]
    ) == 2 * len(sent)

    # Twice the limit: the tier above the graded review (here the commission) hears of it.
    clock.advance(timedelta(days=settings.review_reminder_days - 1))
    await jobs.tick()
    latest = [r for r in await outbox_rows(sessionmaker) if r.kind == "remind.review"][
        -len(sent) :
    ]
    text = {r.chat_id: r.payload["text"] for r in latest}[people.admin]
    assert translate(
        "reminders.review_item_escalated", "zh", id=risk_ids[0], title="审批不公",
        days=2 * settings.review_reminder_days,
    ) in text  # fmt: skip
