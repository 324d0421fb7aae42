"""Campaigns (专项工作): create, read progress, close; and the daily reminder scan.

Authority is decided here, from the database, for every call (a button's payload is never
trusted): only admins act on campaigns, and an admin acts only within their scope —

* the commission (纪委): an admin whose role has no unit, sits at the district (the root), or
  in a district-level office directly under it with no sub-units of its own (区纪委) — every
  unit;
* a unit admin: an admin whose role is scoped to a unit with sub-units (a bureau) — that unit
  and its subtree. A campaign is theirs to see and close only if all its units lie there.

"Done" is never stored: it is recomputed from the register on every read and every reminder
run (`bot.domain.campaign_rules.post_done`), so the moment a post's work is done it stops being
reminded. Reminders are outbox rows keyed ``campaign:<id>:<person>:<offset tag>``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue_for_person, person_locale
from bot.domain.campaign_rules import (
    NAME_MAX,
    CampaignStatus,
    DueReminder,
    MeasureFact,
    PostRecords,
    ReminderPlan,
    Requirement,
    due_reminder,
    parse_days,
    post_done,
)
from bot.domain.clock import Clock
from bot.domain.errors import NotAllowed, ServiceError
from bot.domain.risk_workflow import RiskState
from bot.domain.roles import Role
from bot.i18n import translate
from bot.services import audit
from bot.settings import Settings
from storage.models.campaign import Campaign, CampaignUnit
from storage.models.org import Person, Post, Unit
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint

KIND = "remind.campaign"
DEADLINE_MAX_DAYS = 366  # a campaign runs within a year
LISTED = 10  # campaigns on the list


def plan_of(settings: Settings) -> ReminderPlan:
    return ReminderPlan(
        parse_days(settings.campaign_reminder_days), settings.campaign_overdue_every_days
    )


def today_of(clock: Clock | datetime, settings: Settings) -> date:
    now = clock if isinstance(clock, datetime) else clock.now()
    return now.astimezone(ZoneInfo(settings.timezone)).date()


# --- scope ------------------------------------------------------------------------------------


async def admin_scope(session: AsyncSession, actor: Person | None) -> set[int] | None:
    """The units an admin may run campaigns over; None means every unit (the commission)."""
    if actor is None or not actor.active or not actor.has_role(Role.ADMIN):
        raise NotAllowed()
    assignment = next(a for a in actor.role_assignments if a.role == Role.ADMIN.value)
    if assignment.unit_id is None:
        return None
    unit = await session.get(Unit, assignment.unit_id)
    if unit is None or unit.parent_id is None or unit.kind == "district":
        return None
    parent = await session.get(Unit, unit.parent_id)
    has_children = await session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1))
    if parent is not None and parent.parent_id is None and has_children is None:
        return None  # a district-level office (区纪委): the commission itself
    return set(await subtree_ids(session, [unit.id]))


async def subtree_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """The units and everything under them (units nest by path: 长安区/卫生局/医政科)."""
    if not unit_ids:
        return []
    roots = (await session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))).all()
    conditions = [Unit.id.in_([u.id for u in roots])]
    conditions += [Unit.path.startswith(u.path + "/", autoescape=True) for u in roots]
    return list(await session.scalars(select(Unit.id).where(or_(*conditions))))


async def pickable_units(
    session: AsyncSession, actor: Person, offset: int, limit: int
) -> tuple[Sequence[Unit], int]:
    """A page of the units an admin may put in a campaign's scope, by path."""
    scope = await admin_scope(session, actor)
    where = [] if scope is None else [Unit.id.in_(sorted(scope))]
    total = await session.scalar(select(func.count()).select_from(Unit).where(*where)) or 0
    rows = await session.scalars(
        select(Unit).where(*where).order_by(Unit.path).offset(offset).limit(limit)
    )
    return rows.all(), int(total)


async def top_units_in_scope(session: AsyncSession, actor: Person) -> list[int]:
    """ "All in my scope" as a list of units: the roots (commission) or the admin's own unit."""
    scope = await admin_scope(session, actor)
    if scope is None:
        return list(await session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    units = (await session.scalars(select(Unit).where(Unit.id.in_(sorted(scope))))).all()
    return [u.id for u in units if u.parent_id not in scope]


async def check_units(session: AsyncSession, actor: Person, unit_ids: Sequence[int]) -> list[int]:
    scope = await admin_scope(session, actor)
    ids = sorted(set(unit_ids))
    if not ids:
        raise ServiceError("campaign.need_units")
    known = set(await session.scalars(select(Unit.id).where(Unit.id.in_(ids))))
    if known != set(ids):
        raise ServiceError("fallback.stale_button")
    if scope is not None and not set(ids) <= scope:
        raise NotAllowed("campaign.out_of_scope")
    return ids


# --- input checks -----------------------------------------------------------------------------


def check_name(text: str | None) -> str:
    name = " ".join((text or "").split())
    # A command typed mid-wizard is not a name (it would be saved as one otherwise).
    if not name or len(name) > NAME_MAX or name.startswith("/"):
        raise ServiceError("campaign.bad_name", limit=NAME_MAX)
    return name


def check_requirement(value: str) -> Requirement:
    try:
        return Requirement(value)
    except ValueError:
        raise ServiceError("fallback.stale_button") from None


def check_deadline(value: str | date | None, today: date) -> date:
    """A date (YYYY-MM-DD) from today to a year ahead; a past date is refused."""
    if isinstance(value, date):
        deadline = value
    else:
        try:
            deadline = date.fromisoformat((value or "").strip())
        except ValueError:
            raise ServiceError("campaign.bad_date") from None
    if deadline < today:
        raise ServiceError("campaign.past_date", today=today.isoformat())
    if deadline > today + timedelta(days=DEADLINE_MAX_DAYS):
        raise ServiceError("campaign.far_date", limit=DEADLINE_MAX_DAYS)
    return deadline


# --- progress ---------------------------------------------------------------------------------


@dataclass
class PostProgress:
    post: Post
    done: bool
    holders: list[Person] = field(default_factory=list)


@dataclass
class UnitProgress:
    unit: Unit
    posts: list[PostProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.posts)

    @property
    def missing(self) -> list[PostProgress]:
        return [p for p in self.posts if not p.done]


@dataclass
class Progress:
    units: list[UnitProgress]

    @property
    def total(self) -> int:
        return sum(len(u.posts) for u in self.units)

    @property
    def done(self) -> int:
        return sum(u.done for u in self.units)

    def to_remind(self) -> list[Person]:
        """Holders of posts still missing the work, who can be reached on Telegram."""
        return [
            person
            for unit in self.units
            for post in unit.missing
            for person in post.holders
            if person.telegram_id is not None and not person.unreachable
        ]


async def _records(
    session: AsyncSession, post_ids: list[int], requirement: Requirement
) -> dict[int, PostRecords]:
    """The register state of the posts, loaded only as far as the requirement needs."""
    powers: dict[int, list[str]] = defaultdict(list)
    risks: dict[int, list[str]] = defaultdict(list)
    measures: dict[int, list[MeasureFact]] = defaultdict(list)
    if requirement is Requirement.POWERS:
        for post_id, status in await session.execute(
            select(Power.post_id, Power.status).where(Power.post_id.in_(post_ids))
        ):
            powers[post_id].append(status)
    elif requirement in (Requirement.RISKS, Requirement.REGRADING):
        for post_id, status in await session.execute(
            select(RiskPoint.post_id, RiskPoint.status).where(RiskPoint.post_id.in_(post_ids))
        ):
            risks[post_id].append(status)
    else:
        last_report = (
            select(MeasureReport.measure_id, func.max(MeasureReport.at).label("at"))
            .group_by(MeasureReport.measure_id)
            .subquery()
        )
        columns = (RiskPoint.post_id, ControlMeasure.deadline, ControlMeasure.status)
        rows = await session.execute(
            select(*columns, last_report.c.at)
            .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_id)
            .outerjoin(last_report, last_report.c.measure_id == ControlMeasure.id)
            .where(
                RiskPoint.post_id.in_(post_ids),
                RiskPoint.status.not_in([RiskState.WITHDRAWN.value, RiskState.PROPOSED.value]),
            )
        )
        for post_id, deadline, status, reported_at in rows:
            measures[post_id].append(MeasureFact(deadline, status, reported_at))
    return {
        post_id: PostRecords(
            tuple(powers[post_id]), tuple(risks[post_id]), tuple(measures[post_id])
        )
        for post_id in post_ids
    }


async def compute_progress(
    session: AsyncSession,
    unit_ids: Sequence[int],
    requirement: Requirement,
    deadline: date,
    started_at: datetime,
) -> Progress:
    """Each post under the units, done or not, with its holders; grouped by the post's unit."""
    in_scope = await subtree_ids(session, unit_ids)
    units = (
        await session.scalars(select(Unit).where(Unit.id.in_(in_scope)).order_by(Unit.path))
    ).all()
    posts = (
        await session.scalars(
            select(Post).where(Post.unit_id.in_([u.id for u in units])).order_by(Post.id)
        )
    ).all()
    post_ids = [p.id for p in posts]
    records = await _records(session, post_ids, requirement)
    holders: dict[int, list[Person]] = defaultdict(list)
    for person in await session.scalars(
        select(Person)
        .where(Person.post_id.in_(post_ids), Person.active.is_(True))
        .order_by(Person.id)
    ):
        holders[person.post_id].append(person)  # type: ignore[index]
    by_unit = {u.id: UnitProgress(u) for u in units}
    for post in posts:
        done = post_done(requirement, records[post.id], deadline=deadline, started_at=started_at)
        by_unit[post.unit_id].posts.append(PostProgress(post, done, holders[post.id]))
    return Progress([u for u in by_unit.values() if u.posts])


async def progress_of(session: AsyncSession, campaign: Campaign) -> Progress:
    return await compute_progress(
        session,
        campaign.unit_ids,
        Requirement(campaign.requirement),
        campaign.deadline,
        campaign.created_at,
    )


# --- reading and writing campaigns ------------------------------------------------------------


def _in_scope(campaign: Campaign, scope: set[int] | None) -> bool:
    return scope is None or set(campaign.unit_ids) <= scope


async def campaigns_for(session: AsyncSession, actor: Person) -> list[Campaign]:
    """The campaigns an admin may see: active first, then the latest closed ones."""
    scope = await admin_scope(session, actor)
    rows = await session.scalars(
        select(Campaign).order_by(Campaign.status, Campaign.deadline, Campaign.id.desc())
    )
    return [c for c in rows if _in_scope(c, scope)][:LISTED]


async def get_for(session: AsyncSession, actor: Person, campaign_id: int) -> Campaign:
    """A campaign the admin may see; another scope's looks as missing as a deleted one."""
    scope = await admin_scope(session, actor)
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or not _in_scope(campaign, scope):
        raise ServiceError("campaign.not_found")
    return campaign


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
    kind = check_requirement(requirement)
    today = today_of(clock, settings)
    check_deadline(deadline, today)
    progress = await compute_progress(session, ids, kind, deadline, clock.now())
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
        name=check_name(name),
        requirement=check_requirement(requirement).value,
        deadline=check_deadline(deadline, today_of(clock, settings)),
        status=CampaignStatus.ACTIVE.value,
        created_by_id=actor.id,
        created_at=clock.now(),
        units=[CampaignUnit(unit_id=unit_id) for unit_id in ids],
    )
    session.add(campaign)
    await session.flush()
    audit.record(
        session,
        clock,
        actor=actor,
        action="campaign.create",
        entity=campaign,
        after=audit.snapshot(campaign, "name", "requirement", "deadline") | {"units": ids},
    )
    await session.flush()
    return campaign


async def _cancel_pending(
    session: AsyncSession, campaign_id: int, reason: str, person_ids: Sequence[int] | None = None
) -> None:
    """A campaign's reminders not yet sent (waiting out quiet hours) are not sent after all;
    with `person_ids`, only theirs."""
    where = [
        OutboxMessage.kind == KIND,
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.dedup_key.startswith(f"campaign:{campaign_id}:", autoescape=True),
    ]
    if person_ids is not None:
        if not person_ids:
            return
        where.append(OutboxMessage.person_id.in_(person_ids))
    await session.execute(
        update(OutboxMessage)
        .where(*where)
        .values(status=OutboxStatus.CANCELLED.value, last_error=reason)
    )


async def close_campaign(
    session: AsyncSession, clock: Clock, *, actor: Person, campaign_id: int
) -> Campaign:
    """Close it: no reminder goes out any more, pending ones included."""
    campaign = await get_for(session, actor, campaign_id)
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
    await session.flush()
    return campaign


# --- the reminder scan ------------------------------------------------------------------------

# What to do, per requirement, in the recipient's language (literal keys for the catalogs).
TASK_KEYS: dict[Requirement, str] = {
    Requirement.POWERS: "campaign.task.powers",
    Requirement.RISKS: "campaign.task.risks",
    Requirement.MEASURES: "campaign.task.measures",
    Requirement.REGRADING: "campaign.task.regrading",
}


async def remind(session: AsyncSession, clock: Clock, settings: Settings, now: datetime) -> int:
    """Enqueue today's reminder of each active campaign to the holders of posts still missing
    its work; returns how many were new. Idempotent: a second run the same period adds none."""
    plan = plan_of(settings)
    today = today_of(now, settings)
    sent = 0
    campaigns = (
        await session.scalars(
            select(Campaign).where(Campaign.status == CampaignStatus.ACTIVE.value)
        )
    ).all()
    for campaign in campaigns:
        due = due_reminder(plan, campaign.deadline, today)
        progress = await progress_of(session, campaign)
        posts = [post for unit in progress.units for post in unit.posts]
        done = [person.id for post in posts if post.done for person in post.holders]
        await _cancel_pending(session, campaign.id, "work done", done)
        if due is None:
            continue
        for post in (post for post in posts if not post.done):
            for person in post.holders:
                key = f"campaign:{campaign.id}:{person.id}:{due.tag}"
                sent += await _remind_one(session, clock, settings, campaign, person, today, key)
    await session.flush()
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
        key = "campaign.remind.before"
        values["days"] = (campaign.deadline - today).days
    elif campaign.deadline == today:
        key = "campaign.remind.today"
    else:
        key = "campaign.remind.overdue"
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
