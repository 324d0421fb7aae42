"""The 预警 ladder of unanswered feedback, as one idempotent scan (the scheduler runs it).

For each item still waiting, counted from when its current wait began (submission, or a
不满意 appeal), at most one step a run and each step once (`bot.domain.feedback.step_due`):

1. a day before the deadline (half of a one-day period): the answering tier is reminded;
2. past the deadline: the tier above is told (the commission when there is none);
3. past twice the deadline: the commission is told, and may record a disposition.

Each step is a move (audited, on the scheduler channel) that records the step taken, and
each message has a dedup key ``feedback:<step>:<id>:<wait start>:<person>``, so a scan run
twice, or two processes, send it once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import feedback as rules
from bot.domain.clock import Clock
from bot.domain.feedback import Actor, State, Step
from bot.domain.review_routing import COMMISSION_ROUTE
from bot.services.feedback import moves, notices, routing
from bot.services.feedback.config import FeedbackConfig
from storage.models.feedback import Feedback

STEP_KEYS: dict[Step, str] = {
    Step.REMINDER: "feedback.notice.reminder",
    Step.OVERDUE: "feedback.notice.overdue",
    Step.COMMISSION: "feedback.notice.alert",
}


async def climb(
    session: AsyncSession, clock: Clock, config: FeedbackConfig
) -> list[tuple[int, Step]]:
    """Take the due step of every waiting item; returns (item id, step) for those taken."""
    now = clock.now()
    rows = await session.scalars(
        select(Feedback)
        .where(Feedback.status == State.RECEIVED.value, Feedback.ladder_step < Step.COMMISSION)
        .order_by(Feedback.id)
    )
    taken: list[tuple[int, Step]] = []
    for item in list(rows):
        step = rules.step_due(
            item.waiting_since, now, config.answer_period, Step(item.ladder_step)
        )
        if step is None:
            continue
        await moves.move(
            session, clock, item, rules.STEP_ACTIONS[step], {Actor.SCHEDULER},
            changes={"ladder_step": step.value},
        )  # fmt: skip
        if step is Step.REMINDER:
            route = routing.route_of(item)
        elif step is Step.OVERDUE:
            route = await routing.above(session, item) or COMMISSION_ROUTE
        else:
            route = COMMISSION_ROUTE
        people = await routing.people_for(session, route, item)
        stamp = int(item.waiting_since.timestamp())
        due = item.due_at.astimezone(ZoneInfo(config.timezone)).date().isoformat()
        await notices.tell(
            session, clock, config, people, STEP_KEYS[step], item,
            dedup=f"feedback:{step.name.lower()}:{item.id}:{stamp}",
            days=(now - item.waiting_since).days, due=due,
        )  # fmt: skip
        taken.append((item.id, step))
    return taken
