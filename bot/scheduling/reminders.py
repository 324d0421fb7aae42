"""Reminders that need no campaign: idempotent daily scans that enqueue to the outbox.

Each reminder carries a dedup key naming what it is about and the period it belongs to, so a
job run twice (or late, after downtime) enqueues each reminder once:

- a measure due within `measure_reminder_days`: once a local day,
  ``remind:measure:<id>:<local date>``;
- a measure past its deadline: once a week counted from the deadline,
  ``remind:measure:<id>:overdue:<week>`` (a missed run still sends that week's reminder).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue_for_person
from bot.risk_workflow import RiskState
from bot.scheduling.runner import JobContext
from storage.models.org import Person
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint

ACTION_SHOWN = 200  # characters of a measure's action quoted in a reminder


def _quote(text: str) -> str:
    return text if len(text) <= ACTION_SHOWN else text[: ACTION_SHOWN - 1] + "…"


async def remind_measures(ctx: JobContext) -> None:
    """Remind responsible people of measures near or past their deadline."""
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    horizon = today + timedelta(days=ctx.settings.measure_reminder_days)
    async with ctx.sessionmaker() as session, session.begin():
        rows = await session.execute(
            select(ControlMeasure, Person)
            .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
            .join(Person, Person.id == ControlMeasure.responsible_id)
            .where(
                ControlMeasure.status != MeasureStatus.DONE.value,
                ControlMeasure.deadline <= horizon,
                RiskPoint.status.not_in([RiskState.WITHDRAWN.value, RiskState.PROPOSED.value]),
                Person.active.is_(True),
                Person.telegram_id.is_not(None),
            )
            .order_by(ControlMeasure.id)
        )
        for measure, person in rows:
            values = {"action": _quote(measure.action), "deadline": measure.deadline.isoformat()}
            if measure.deadline >= today:
                key = "reminders.measure_due"
                dedup = f"remind:measure:{measure.id}:{today.isoformat()}"
                values["days"] = (measure.deadline - today).days
            else:
                late = (today - measure.deadline).days
                key = "reminders.measure_overdue"
                dedup = f"remind:measure:{measure.id}:overdue:{(late - 1) // 7}"
                values["days"] = late
            await enqueue_for_person(
                session,
                person,
                key,
                kind="remind.measure",
                values=values,
                settings=ctx.settings,
                priority=PRIORITY_PERSONAL,
                dedup_key=dedup,
                clock=ctx.clock,
            )
