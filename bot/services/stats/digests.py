"""The digest run: every subscription whose period is due gets one digest through the outbox.

A digest is the overview's headline numbers for the person's scope, what changed since
their last digest, the five most overdue measures with their holders, and the chart — one
photo with its caption, in the person's language, bulk priority, quiet hours respected,
dedup key ``digest:<person>:<period>`` (so a run twice or after downtime sends the latest
period once).

However many leaders are due, the register is counted once per run: one overview over the
union of their scopes (a handful of GROUP BY queries), one windowed query for the overdue
items; each person's figures are sums over their units (`restrict`), and people with the same
scope and language share one chart.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.delivery.outbox import PRIORITY_BULK, Outgoing, enqueue_many, person_locale
from bot.delivery.outbox_files import store_files
from bot.domain.clock import Clock
from bot.domain.digest_rules import SubscriptionState, due_period
from bot.domain.register_rules import local_today
from bot.domain.stats import Change, Headline, changes_since
from bot.i18n import translate
from bot.services.stats.chart import render_chart
from bot.services.stats.overdue import OverdueItem, most_overdue, overdue_by_unit
from bot.services.stats.overview import Overview, Scope, overview, restrict
from bot.services.stats.render import fit, headline_text, scope_title
from bot.services.stats.scope import UnitTree
from bot.settings import Settings
from storage.models.digest import DigestSubscription
from storage.models.org import Person

KIND = "digest"
CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption
ACTION_SHOWN = 40  # characters of a measure's text in the overdue list
WEEKDAY = 1  # weekly digests go out on Mondays (ISO weekday)


@dataclass(frozen=True)
class DigestRun:
    due: int  # subscriptions whose period was due
    queued: int  # digests stored in the outbox (a used dedup key is not stored again)
    charts: int  # distinct charts drawn


async def send_due_digests(
    session: AsyncSession, *, now: datetime, clock: Clock, settings: Settings
) -> DigestRun:
    """Queue the digest of every active subscription whose period is due at `now`."""
    tz = ZoneInfo(settings.timezone)
    subs = (
        await session.execute(
            select(DigestSubscription, Person)
            .join(Person, Person.id == DigestSubscription.person_id)
            .where(
                DigestSubscription.state == SubscriptionState.ACTIVE.value,
                Person.active.is_(True),
                Person.telegram_id.is_not(None),
            )
            .options(selectinload(Person.role_assignments))
        )
    ).all()
    due: list[tuple[DigestSubscription, Person, str]] = []
    for sub, person in subs:
        period = due_period(
            sub.frequency,
            sub.hour,
            WEEKDAY,
            since=sub.since,
            last_period=sub.last_period,
            now=now,
            tz=tz,
        )
        if period is not None:
            due.append((sub, person, period))
    if not due:
        return DigestRun(0, 0, 0)
    tree = await UnitTree.load(session)
    scopes = {person.id: tree.scope_of(person) for _, person, _ in due}
    union = _union(s for s in scopes.values() if s is not None)
    today = local_today(now, settings.timezone)
    counted = await overview(
        session, union, today=today, review_limit_days=settings.review_reminder_days,
        answer_days=settings.feedback_answer_days,
    )  # fmt: skip
    overdue = await overdue_by_unit(session, union, today)
    charts: dict[tuple[frozenset[int] | None, str], bytes] = {}
    drafts: list[tuple[Person, str, str, tuple[frozenset[int] | None, str]]] = []
    updates = []
    for sub, person, period in due:
        scope = scopes[person.id]
        if scope is None:  # lost the role since subscribing: nothing to report
            continue
        locale = person_locale(person, settings)
        mine = restrict(counted, scope.unit_ids)
        headline = Headline.of(mine.total)
        change = changes_since(Headline.from_dict(sub.last_headline), headline)
        items = most_overdue(overdue, scope.unit_ids)
        key = (scope.unit_ids, locale)
        if key not in charts:
            charts[key] = await asyncio.to_thread(render_chart, mine, None, locale)
        drafts.append((person, period, digest_text(mine, headline, change, items, locale), key))
        updates.append(
            {
                "id": sub.id,
                "last_period": period,
                "last_headline": headline.as_dict(),
                "last_sent_at": now,
            }
        )
    keys = list(charts)
    stored = await store_files(session, [(charts[k], "digest.png") for k in keys], clock=clock)
    file_of = dict(zip(keys, stored, strict=True))
    messages = [
        Outgoing(
            chat_id=person.telegram_id or 0,
            text=caption,
            person_id=person.id,
            dedup_key=f"digest:{person.id}:{period}",
            photo_file=file_of[key],
        )
        for person, period, caption, key in drafts
    ]
    queued = await enqueue_many(
        session, messages, kind=KIND, priority=PRIORITY_BULK, clock=clock, settings=settings
    )
    if updates:
        await session.execute(update(DigestSubscription), updates)
    return DigestRun(len(due), queued, len(charts))


def _union(scopes: Iterable[Scope]) -> Scope:
    units: set[int] = set()
    for scope in scopes:
        if scope.unit_ids is None:
            return Scope.district()
        units |= scope.unit_ids
    return Scope.of(units)


def digest_text(
    ov: Overview,
    headline: Headline,
    change: Change | None,
    items: list[OverdueItem],
    locale: str,
) -> str:
    """The caption: title, headline, changes, the most overdue measures (≤ 1,024 units)."""
    lines = [
        translate("digest.title", locale, unit=scope_title(ov, None, locale), date=ov.today),
        headline_text(headline, change, locale),
    ]
    if items:
        lines.append(translate("digest.overdue_title", locale))
        for number, item in enumerate(items, start=1):
            action = item.action if len(item.action) <= ACTION_SHOWN else item.action[:39] + "…"
            lines.append(
                translate(
                    "digest.overdue_line",
                    locale,
                    n=number,
                    action=html.escape(action),
                    unit=html.escape(item.unit_name),
                    holder=html.escape(item.holder or "—"),
                    days=item.days(ov.today),
                )
            )
    else:
        lines.append(translate("digest.overdue_none", locale))
    lines.append(translate("digest.more", locale))
    return fit("\n".join(lines), CAPTION_LIMIT)
