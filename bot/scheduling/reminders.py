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
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from bot.delivery.outbox import (
    PRIORITY_PERSONAL,
    Outgoing,
    enqueue_many,
    person_locale,
    render_for_person,
)
from bot.domain import review_routing
from bot.domain.review_routing import Route, Tier, UnitRef
from bot.domain.risk_workflow import RiskState
from bot.i18n import N_, translate
from bot.scheduling.runner import JobContext
from bot.services import review
from bot.services.review import waiting
from storage.models.org import Person
from storage.models.register import ControlMeasure, MeasureStatus, RiskPoint

ACTION_SHOWN = 200  # characters of a measure's action quoted in a reminder


def _quote(text: str) -> str:
    return text if len(text) <= ACTION_SHOWN else text[: ACTION_SHOWN - 1] + "…"


async def store_reminders(ctx: JobContext, messages: Sequence[Outgoing], kind: str) -> None:
    """A scan's reminders, personal priority: one multi-row INSERT per 500, not one each."""
    await enqueue_many(
        ctx.session,
        messages,
        kind=kind,
        priority=PRIORITY_PERSONAL,
        settings=ctx.settings,
        clock=ctx.clock,
    )


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
        # Their roles are not needed: no selectin per 500 people.
        .options(lazyload(Person.role_assignments))
    )
    messages = []
    for measure, person in rows:
        if person.telegram_id is None:  # pragma: no cover - the query leaves them out
            continue
        values: dict[str, Any] = {
            "action": _quote(measure.action),
            "deadline": measure.deadline.isoformat(),
        }
        if measure.deadline >= today:
            key = N_("reminders.measure_due")
            dedup = f"remind:measure:{measure.id}:{today.isoformat()}"
            values["days"] = (measure.deadline - today).days
        else:
            late = (today - measure.deadline).days
            key = N_("reminders.measure_overdue")
            dedup = f"remind:measure:{measure.id}:overdue:{(late - 1) // 7}"
            values["days"] = late
        text = render_for_person(person, key, ctx.settings, **values)
        messages.append(Outgoing(person.telegram_id, text, person.id, dedup))
    await store_reminders(ctx, messages, "remind.measure")


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
    twice that, the tier above is reminded of them as well.

    Set-based: the waiting items, their chains and holders and every route's people are read
    in a few statements, and the reminders stored by one bulk insert (`bot/services/review/
    waiting.py`), so the run costs statements by the kind of work, not by the register."""
    config = review.ReviewConfig.from_settings(ctx.settings)
    today = ctx.now.astimezone(ZoneInfo(ctx.settings.timezone)).date()
    limit = timedelta(days=ctx.settings.review_reminder_days)
    session = ctx.session
    who = await waiting.audiences(session)
    scopes = who.reviewer_units
    items = await waiting.routed(
        session, config, list(REVIEW_STEPS), scopes, moved_by=ctx.now - limit
    )
    listed: dict[int, dict[int, tuple[int, str, int, bool]]] = defaultdict(dict)
    people: dict[int, Person] = {}
    for item in items:
        waited = ctx.now - item.last_move
        route = {
            "review": item.review_route,
            "approval": item.approval_route,
            "commission": Route(Tier.COMMISSION),
        }[REVIEW_STEPS[item.state]]
        routes = [(route, False)]
        if waited >= 2 * limit:  # twice the limit: the tier above hears of it too
            above = _tier_above(route, item.chain, scopes)
            routes += [(above, True)] if above is not None else []
        for each, escalated in routes:
            for person in who.of(each):
                if person.id in item.holder_ids:
                    continue
                people[person.id] = person
                line = (item.risk_id, item.title, waited.days, escalated)
                listed[person.id].setdefault(item.risk_id, line)
    messages = []
    for person_id, by_risk in listed.items():
        person = people[person_id]
        if person.telegram_id is None:
            continue
        lines_of = sorted(by_risk.values(), key=lambda line: -line[2])
        locale = person_locale(person, ctx.settings)
        # Plain text: rendering escapes it (titles included) as a whole.
        lines = "\n".join(_review_line(locale, *line) for line in lines_of[:REVIEW_ITEMS_LISTED])
        if len(lines_of) > REVIEW_ITEMS_LISTED:
            lines += "\n…"
        values = {"count": len(lines_of), "days": limit.days, "items": lines}
        messages.append(
            Outgoing(
                chat_id=person.telegram_id,
                text=render_for_person(
                    person, N_("reminders.review_waiting"), ctx.settings, **values
                ),
                person_id=person.id,
                dedup_key=f"remind:review:{person_id}:{today.isoformat()}",
            )
        )
    await store_reminders(ctx, messages, "remind.review")
