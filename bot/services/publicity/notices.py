"""Who is told what about a round: subscribers at open and close, and at the close a summary
for the commission and for each unit's reviewers.

Every notice goes through the outbox in bulk (`enqueue_many`, bulk priority) with one dedup
key per person and round event (``publicity:<round>:<event>:<person>``), so a job run twice
tells nobody twice. Misconduct reports (问题线索) are counted for the commission only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.delivery.outbox import Outgoing, enqueue_many
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.i18n import resolve_locale, translate
from bot.services.campaigns import subtree_ids
from bot.services.publicity import texts
from bot.services.publicity.config import PublicityConfig
from bot.services.publicity.figures import FeedbackFigures, round_feedback
from bot.services.publicity.subscriptions import Subscriber, subscribers_for
from storage.models.org import Person, RoleAssignment
from storage.models.publicity import PublicityItem, PublicityRound

KIND_OPENED = "publicity.opened"
KIND_CLOSED = "publicity.closed"
KIND_SUMMARY = "publicity.summary"


@dataclass(frozen=True)
class Reader:
    person_id: int
    telegram_id: int
    language: str | None
    telegram_locale: str | None


async def item_units(session: AsyncSession, round_id: int) -> list[int]:
    rows = await session.scalars(
        select(PublicityItem.unit_id).where(PublicityItem.round_id == round_id).distinct()
    )
    return list(rows)


async def _send(
    session: AsyncSession,
    clock: Clock,
    config: PublicityConfig,
    readers: Sequence[Reader | Subscriber],
    event: str,
    kind: str,
    render: dict[str, str],
) -> int:
    default = config.settings.default_locale
    messages = [
        Outgoing(
            chat_id=reader.telegram_id,
            text=render[resolve_locale(reader.language, reader.telegram_locale, default)],
            person_id=reader.person_id,
            dedup_key=f"{event}:{reader.person_id}",
        )
        for reader in readers
    ]
    return await enqueue_many(session, messages, kind=kind, clock=clock, settings=config.settings)


async def tell_opened(
    session: AsyncSession, clock: Clock, config: PublicityConfig, rnd: PublicityRound, risks: int
) -> int:
    """Tell the subscribers of the round's units that it opened."""
    units = await item_units(session, rnd.id)
    readers = await subscribers_for(session, None if rnd.all_units else units)
    render = {
        locale: translate(
            "publicity.notice.opened",
            locale,
            risks=risks,
            units=len(units),
            end=texts.when(rnd.ends_at, config.timezone),
        )
        for locale in ("zh", "en")
    }
    return await _send(
        session, clock, config, readers, f"publicity:{rnd.id}:open", KIND_OPENED, render
    )


def _summary(locale: str, risks: int, figures: FeedbackFigures, *, commission: bool) -> str:
    text = translate(
        "publicity.summary",
        locale,
        risks=risks,
        feedback=figures.total if commission else figures.total - figures.by_kind["misconduct"],
        comments=figures.by_kind["comment"],
        objections=figures.by_kind["objection"],
        answered=figures.answered,
        reopened=figures.reopened,
    )
    if commission:
        text += "\n" + translate(
            "publicity.summary.misconduct", locale, count=figures.by_kind["misconduct"]
        )
    return text


async def _count_items(session: AsyncSession, round_id: int, units: set[int] | None) -> int:
    rows = await session.scalars(
        select(PublicityItem.unit_id).where(PublicityItem.round_id == round_id)
    )
    return sum(1 for unit_id in rows if units is None or unit_id in units)


async def tell_closed(
    session: AsyncSession, clock: Clock, config: PublicityConfig, rnd: PublicityRound
) -> int:
    """Subscribers, the commission and each unit's reviewers get the round's summary."""
    units = await item_units(session, rnd.id)
    risks = await _count_items(session, rnd.id, None)
    figures = await round_feedback(session, rnd.id)
    sent = 0
    public = {
        locale: translate("publicity.notice.closed", locale, risks=risks)
        + "\n"
        + _summary(locale, risks, figures, commission=False)
        for locale in ("zh", "en")
    }
    readers = await subscribers_for(session, None if rnd.all_units else units)
    event = f"publicity:{rnd.id}:close"
    sent += await _send(session, clock, config, readers, event, KIND_CLOSED, public)
    staff = (
        await session.scalars(
            select(Person)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .where(
                RoleAssignment.role.in_([Role.ADMIN.value, Role.REVIEWER.value]),
                Person.active.is_(True),
                Person.telegram_id.is_not(None),
            )
            .options(selectinload(Person.role_assignments))
            .distinct()
        )
    ).all()
    commission = [p for p in staff if p.has_role(Role.ADMIN)]
    heading = {
        locale: translate("publicity.summary.heading", locale, round=rnd.id)
        for locale in ("zh", "en")
    }
    render = {
        locale: heading[locale] + "\n" + _summary(locale, risks, figures, commission=True)
        for locale in ("zh", "en")
    }
    summary_event = f"publicity:{rnd.id}:summary"
    readers_c = [_reader(p) for p in commission]
    sent += await _send(session, clock, config, readers_c, summary_event, KIND_SUMMARY, render)
    for person in staff:
        if person.has_role(Role.ADMIN):
            continue
        scope = {a.unit_id for a in person.role_assignments if a.role == Role.REVIEWER.value}
        covered = set(await subtree_ids(session, [u for u in scope if u is not None]))
        mine = [u for u in units if u in covered]
        if not mine:
            continue
        their_risks = await _count_items(session, rnd.id, set(mine))
        their = await round_feedback(session, rnd.id, mine)
        text = {
            locale: heading[locale] + "\n" + _summary(locale, their_risks, their, commission=False)
            for locale in ("zh", "en")
        }
        sent += await _send(
            session, clock, config, [_reader(person)], summary_event, KIND_SUMMARY, text
        )
    return sent


def _reader(person: Person) -> Reader:
    assert person.telegram_id is not None
    return Reader(person.id, person.telegram_id, person.language, person.telegram_locale)
