"""Campaigns: the preview, creating and closing one, and the daily reminder scan (reminders
are outbox rows keyed ``campaign:<id>:<person>:<offset tag>``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue_for_person, person_locale
from bot.domain.campaign_rules import (
    CampaignStatus,
    DueReminder,
    Requirement,
    due_reminder,
)
from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.i18n import N_, translate
from bot.services import audit
from bot.services.campaigns import progress as campaign_progress
from bot.services.campaigns.scope import KIND, check_units, plan_of, today_of
from bot.settings import Settings
from storage.models.campaign import Campaign, CampaignUnit
from storage.models.org import Person
from storage.repositories import campaigns as campaigns_repo


@dataclass(frozen=True)
class Preview:
    posts: int
    done: int
    to_remind: int  # people reminded if the current offset has come
    first: DueReminder | None  # the offset already due, sent by the next daily scan
    next_on: date | None  # else the date of the first reminder


async def preview(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    *,
    actor: Person,
    unit_ids: Sequence[int],
    requirement: str,
    deadline: date,
) -> Preview:
    ids = await check_units(session, actor, unit_ids)
    kind = campaign_progress.check_requirement(requirement)
    today = today_of(clock, settings)
    campaign_progress.check_deadline(deadline, today)
    progress = await campaign_progress.compute_progress(session, ids, kind, deadline, clock.now())
    plan = plan_of(settings)
    first = due_reminder(plan, deadline, today)
    later = [deadline - timedelta(days=d) for d in plan.days_before]
    next_on = min((on for on in later if on > today), default=None)
    return Preview(progress.total, progress.done, len(progress.to_remind()), first, next_on)


async def create_campaign(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    *,
    actor: Person,
    name: str,
    unit_ids: Sequence[int],
    requirement: str,
    deadline: date,
) -> Campaign:
    """Create an active campaign; nobody is told now — the reminder job takes it from here."""
    ids = await check_units(session, actor, unit_ids)
    campaign = Campaign(
        name=campaign_progress.check_name(name),
        requirement=campaign_progress.check_requirement(requirement).value,
        deadline=campaign_progress.check_deadline(deadline, today_of(clock, settings)),
        status=CampaignStatus.ACTIVE.value,
        created_by_id=actor.id,
        created_at=clock.now(),
        units=[CampaignUnit(unit_id=unit_id) for unit_id in ids],
    )
    return await audit.record_new(
        session, clock, campaign, actor=actor, action="campaign.create",
        fields=("name", "requirement", "deadline"), extra={"units": ids},
    )  # fmt: skip


async def _cancel_pending(
    session: AsyncSession, campaign_id: int, reason: str, person_ids: Sequence[int] | None = None
) -> None:
    """A campaign's reminders not yet sent (waiting out quiet hours) are not sent after all;
    with `person_ids`, only theirs."""
    if person_ids is not None and not person_ids:
        return
    await campaigns_repo.cancel_pending_reminders(session, KIND, campaign_id, reason, person_ids)


async def close_campaign(
    session: AsyncSession, clock: Clock, *, actor: Person, campaign_id: int
) -> Campaign:
    """Close it: no reminder goes out any more, pending ones included."""
    campaign = await campaign_progress.get_for(session, actor, campaign_id)
    if campaign.status != CampaignStatus.ACTIVE.value:
        raise ServiceError("campaign.already_closed")
    campaign.status = CampaignStatus.CLOSED.value
    campaign.closed_by_id = actor.id
    campaign.closed_at = clock.now()
    await _cancel_pending(session, campaign.id, "campaign closed")
    audit.record(
        session,
        clock,
        actor=actor,
        action="campaign.close",
        entity=campaign,
        before={"status": CampaignStatus.ACTIVE.value},
        after={"status": campaign.status},
    )
    return campaign


# --- the reminder scan ------------------------------------------------------------------------

# What to do, per requirement, in the recipient's language (literal keys for the catalogs).
TASK_KEYS: dict[Requirement, str] = {
    Requirement.POWERS: N_("campaign.task.powers"),
    Requirement.RISKS: N_("campaign.task.risks"),
    Requirement.MEASURES: N_("campaign.task.measures"),
    Requirement.REGRADING: N_("campaign.task.regrading"),
}


async def remind(session: AsyncSession, clock: Clock, settings: Settings, now: datetime) -> int:
    """Enqueue today's reminder of each active campaign to the holders of posts still missing
    its work; returns how many were new. Idempotent: a second run the same period adds none."""
    plan = plan_of(settings)
    today = today_of(now, settings)
    sent = 0
    campaigns = await campaigns_repo.in_status(session, CampaignStatus.ACTIVE.value)
    for campaign in campaigns:
        due = due_reminder(plan, campaign.deadline, today)
        progress = await campaign_progress.progress_of(session, campaign)
        posts = [post for unit in progress.units for post in unit.posts]
        done = [person.id for post in posts if post.done for person in post.holders]
        await _cancel_pending(session, campaign.id, "work done", done)
        if due is None:
            continue
        for post in (post for post in posts if not post.done):
            for person in post.holders:
                key = f"campaign:{campaign.id}:{person.id}:{due.tag}"
                sent += await _remind_one(session, clock, settings, campaign, person, today, key)
    return sent


async def _remind_one(
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    campaign: Campaign,
    person: Person,
    today: date,
    dedup_key: str,
) -> int:
    locale = person_locale(person, settings)
    values: dict[str, object] = {
        "name": campaign.name,
        "task": translate(TASK_KEYS[Requirement(campaign.requirement)], locale),
        "deadline": campaign.deadline.isoformat(),
    }
    if campaign.deadline > today:
        key = N_("campaign.remind.before")
        values["days"] = (campaign.deadline - today).days
    elif campaign.deadline == today:
        key = N_("campaign.remind.today")
    else:
        key = N_("campaign.remind.overdue")
        values["days"] = (today - campaign.deadline).days
    queued = await enqueue_for_person(
        session,
        person,
        key,
        kind=KIND,
        values=values,
        settings=settings,
        priority=PRIORITY_PERSONAL,
        dedup_key=dedup_key,
        clock=clock,
    )
    return 0 if queued is None else 1
