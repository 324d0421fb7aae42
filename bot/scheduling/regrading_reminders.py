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

from bot.delivery.outbox import Outgoing, keyboard, person_locale, render_for_person
from bot.domain.risk_workflow import RiskState
from bot.i18n import N_
from bot.scheduling.reminders import store_reminders
from bot.scheduling.runner import JobContext
from bot.services import regrading, review
from bot.services.buttons import regrading_button
from bot.services.review import waiting
from bot.settings import Settings
from storage.models.org import Person
from storage.repositories import people as people_repo

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
    """Remind holders of risks waiting to be re-graded; tell the reviewer when it drags on.

    Set-based: the due risks routed, their due entries, holders and reviewers read in a few
    statements, the reminders stored by one bulk insert, whatever the size of the register."""
    config = review.ReviewConfig.from_settings(ctx.settings)
    first = timedelta(days=ctx.settings.regrading_reminder_days)
    escalate = timedelta(days=ctx.settings.regrading_escalation_days)
    session = ctx.session
    who = await waiting.audiences(session)
    items = await waiting.routed(session, config, [RiskState.REGRADING_DUE], who.reviewer_units)
    entries = await regrading.due_entries(session)
    holders = await people_repo.by_ids(session, [i for item in items for i in item.holder_ids])
    messages: list[Outgoing] = []

    def remind(person: Person, key: str, dedup: str, values: dict[str, Any], button: bool) -> None:
        if person.telegram_id is None:
            return
        markup = _button(person, values["id"], ctx.settings) if button else None
        text = render_for_person(person, key, ctx.settings, **values)
        messages.append(Outgoing(person.telegram_id, text, person.id, dedup, markup))

    for item in items:
        entry = entries.get(item.risk_id)
        since = _aware(entry.at) if entry else item.updated_at
        entry_id = entry.id if entry else 0
        waited = ctx.now - since
        values = {"id": item.risk_id, "title": item.title, "days": waited.days}
        week = reminder_week(waited, first)
        if week is not None:
            for person_id in sorted(item.holder_ids):
                person = holders.get(person_id)
                if person is None or not person.active:
                    continue
                dedup = f"remind:regrading:{item.risk_id}:{entry_id}:{person_id}:{week}"
                remind(person, N_("reminders.regrading_due"), dedup, values, True)
        week = reminder_week(waited, escalate)
        if week is not None:
            for person in who.of(item.review_route):
                if person.id in item.holder_ids:
                    continue
                dedup = f"remind:regrading-review:{item.risk_id}:{entry_id}:{person.id}:{week}"
                remind(person, N_("reminders.regrading_waiting"), dedup, values, False)
    await store_reminders(ctx, messages, "remind.regrading")
