"""Reminders that need no campaign: idempotent daily scans that enqueue to the outbox.

Each reminder carries a dedup key naming what it is about and the period it belongs to, so a
job run twice (or late, after downtime) enqueues each reminder once:

- a measure due within `measure_reminder_days`: once a local day,
  ``remind:measure:<id>:<local date>``;
- a measure past its deadline: once a week counted from the deadline,
  ``remind:measure:<id>:overdue:<week>`` (a missed run still sends that week's reminder);
- review items waiting longer than `review_reminder_days` since the last move on them: one
  list a local day to each person who must act, ``remind:review:<person id>:<local date>``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue_for_person, person_locale
from bot.domain import review_routing
from bot.domain.review_routing import Route, Tier, UnitRef
from bot.domain.risk_workflow import RiskState
from bot.i18n import translate
from bot.scheduling.runner import JobContext
from bot.services import review, review_subject
from storage.models.org import Person
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint
from storage.repositories import review as review_repo

ACTION_SHOWN = 200  # characters of a measure's action quoted in a reminder


def _quote(text: str) -> str:
    return text if len(text) <= ACTION_SHOWN else text[: ACTION_SHOWN - 1] + "…"


async def remind_measures(ctx: JobContext) -> None:
    """Remind responsible people of measures near or past their deadline."""
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    horizon = today + timedelta(days=ctx.settings.measure_reminder_days)
    session = ctx.session
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
        values: dict[str, Any] = {
            "action": _quote(measure.action),
            "deadline": measure.deadline.isoformat(),
        }
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


# --- reviews waiting too long ---------------------------------------------------------------

# The review steps a person must act on, and whose people act on each (social review closes
# by itself when its window ends, so it is not here).
REVIEW_STEPS: dict[RiskState, str] = {
    RiskState.GRADED_REVIEW: "review",
    RiskState.DISPUTED: "review",
    RiskState.ORG_APPROVAL: "approval",
    RiskState.STANDING_COMMITTEE: "commission",
}
REVIEW_ITEMS_LISTED = 10  # lines in one reminder; the rest are counted


async def _waiting(
    session: AsyncSession, state: RiskState, now: datetime, limit: timedelta
) -> list[tuple[int, timedelta]]:
    """The risks in `state` waiting at least `limit` since the last move on them (every
    review transition writes an audit row), in one query: the scan then reads only those."""
    waited = []
    for risk_id, moment in await review_repo.last_moves_in_state(session, state.value):
        since = now - (moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        if since >= limit:
            waited.append((risk_id, since))
    return waited


def _review_line(locale: str, risk_id: int, title: str, days: int, escalated: bool) -> str:
    if escalated:
        return translate(
            "reminders.review_item_escalated", locale, id=risk_id, title=title, days=days
        )
    return translate("reminders.review_item", locale, id=risk_id, title=title, days=days)


def _tier_above(route: Route, chain: list[UnitRef], reviewer_units: set[int]) -> Route | None:
    """Who is above a step's handlers: the next tier up the post's chain (or the commission)."""
    if route.is_commission:
        return None
    tiers = list(Tier)
    above = review_routing.route(tiers[tiers.index(route.tier) + 1], chain, reviewer_units)
    return None if above == route else above


async def remind_reviews(ctx: JobContext) -> None:
    """Once a local day, remind each reviewer (or approver, or the commission) of the items
    waiting for them longer than `review_reminder_days` since the last move on them; after
    twice that, the tier above is reminded of them as well."""
    config = review.ReviewConfig.from_settings(ctx.settings)
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    limit = timedelta(days=ctx.settings.review_reminder_days)
    waiting: dict[int, list[tuple[int, str, int, bool]]] = defaultdict(list)
    people: dict[int, Person] = {}
    audiences: dict[Route, list[Person]] = {}
    reviewer_units: set[int] | None = None
    session = ctx.session
    for state, step in REVIEW_STEPS.items():
        for risk_id, waited in await _waiting(session, state, ctx.now, limit):
            sit = await review.situation(session, config, risk_id)
            route = {
                "review": sit.review_route,
                "approval": sit.approval_route,
                "commission": Route(Tier.COMMISSION),
            }[step]
            routes = [(route, False)]
            if waited >= 2 * limit:  # twice the limit: the tier above hears of it too
                if reviewer_units is None:
                    reviewer_units = await review.reviewer_units(session)
                above = _tier_above(route, sit.chain, reviewer_units)
                routes += [(above, True)] if above is not None else []
            for each, escalated in routes:
                if each not in audiences:  # many items share a route: ask once per run
                    audiences[each] = await review.people_for_route(session, each)
                for person in audiences[each]:
                    if person.id in sit.holder_ids:
                        continue
                    people[person.id] = person
                    item = (risk_id, review_subject.title(sit.risk), waited.days, escalated)
                    if all(known[0] != risk_id for known in waiting[person.id]):
                        waiting[person.id].append(item)
    for person_id, items in waiting.items():
        items.sort(key=lambda item: -item[2])
        person = people[person_id]
        locale = person_locale(person, ctx.settings)
        # Plain text: enqueue_for_person escapes it (titles included) as a whole.
        lines = "\n".join(_review_line(locale, *item) for item in items[:REVIEW_ITEMS_LISTED])
        if len(items) > REVIEW_ITEMS_LISTED:
            lines += "\n…"
        await enqueue_for_person(
            session,
            person,
            "reminders.review_waiting",
            kind="remind.review",
            values={"count": len(items), "days": limit.days, "items": lines},
            settings=ctx.settings,
            priority=PRIORITY_PERSONAL,
            dedup_key=f"remind:review:{person_id}:{today.isoformat()}",
            clock=ctx.clock,
        )
