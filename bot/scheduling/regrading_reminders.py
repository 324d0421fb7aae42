"""Re-grading reminders (定期调整): a daily, idempotent scan over risks still `regrading_due`.

Counted from the moment the risk became due (its latest `risk.regrading_due` or `risk.reopen`
audit row):

- its holders, after `regrading_reminder_days`, then once a week, with the button that opens
  the re-grading card; dedup key
  ``remind:regrading:<risk>:<entry>:<person>:<week>``;
- the reviewers of the tier its level routes to, after `regrading_escalation_days`, then
  once a week; ``remind:regrading-review:<risk>:<entry>:<person>:<week>``.

`<entry>` is the audit row's id, so a later re-grading of the same risk starts afresh; a run
twice, or late after downtime, enqueues each reminder once. Resubmitting ends them (the risk
is no longer due).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue_for_person, keyboard, person_locale
from bot.domain.risk_workflow import RiskState
from bot.scheduling.runner import JobContext
from bot.services import regrading, review, review_subject
from bot.services.buttons import regrading_button
from bot.settings import Settings
from storage.models.org import Person

WEEK = timedelta(days=7)


def reminder_week(waited: timedelta, after: timedelta) -> int | None:
    """Which weekly reminder is due after waiting `waited`: None before `after`, then 0 for
    the first week from `after`, 1 for the next … (the dedup key's last part)."""
    if waited < after:
        return None
    return (waited - after) // WEEK


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _button(person: Person, risk_id: int, settings: Settings) -> dict[str, Any]:
    return keyboard([regrading_button(risk_id)], person_locale(person, settings))


async def remind_regrading(ctx: JobContext) -> None:
    """Remind holders of risks waiting to be re-graded; tell the reviewer when it drags on."""
    config = review.ReviewConfig.from_settings(ctx.settings)
    first = timedelta(days=ctx.settings.regrading_reminder_days)
    escalate = timedelta(days=ctx.settings.regrading_escalation_days)
    session = ctx.session
    ids = await review_subject.ids_in_state(session, RiskState.REGRADING_DUE.value)
    for risk_id in ids:
        sit = await review.situation(session, config, risk_id)
        entry = await regrading.due_entry(session, risk_id)
        since = _aware(entry.at if entry else sit.risk.updated_at)
        entry_id = entry.id if entry else 0
        waited = ctx.now - since
        values = {
            "id": risk_id,
            "title": review_subject.title(sit.risk),
            "days": waited.days,
        }
        week = reminder_week(waited, first)
        if week is not None:
            for person_id in sorted(sit.holder_ids):
                person = await session.get(Person, person_id)
                if person is None or not person.active:
                    continue
                await enqueue_for_person(
                    session,
                    person,
                    "reminders.regrading_due",
                    kind="remind.regrading",
                    values=values,
                    settings=ctx.settings,
                    priority=PRIORITY_PERSONAL,
                    dedup_key=f"remind:regrading:{risk_id}:{entry_id}:{person_id}:{week}",
                    reply_markup=_button(person, risk_id, ctx.settings),
                    clock=ctx.clock,
                )
        week = reminder_week(waited, escalate)
        if week is not None:
            for person in await review.people_for_route(session, sit.review_route):
                if person.id in sit.holder_ids:
                    continue
                await enqueue_for_person(
                    session,
                    person,
                    "reminders.regrading_waiting",
                    kind="remind.regrading",
                    values=values,
                    settings=ctx.settings,
                    priority=PRIORITY_PERSONAL,
                    dedup_key=(f"remind:regrading-review:{risk_id}:{entry_id}:{person.id}:{week}"),
                    clock=ctx.clock,
                )
