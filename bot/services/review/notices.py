"""Notices the review sends to holders and the next tier, each in the recipient's language.

They are queued in the same transaction as the change they announce (so a rolled-back
decision sends nothing) and delivered by the outbox's sender, which honours quiet hours and
Telegram's limits.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import PRIORITY_PERSONAL, enqueue, keyboard, person_locale
from bot.domain.clock import Clock
from bot.domain.grading import level_key
from bot.i18n import translate
from bot.services.buttons import Button
from bot.settings import Settings
from storage.models.org import Person

NOTICE_KIND_PREFIX = "review"


@dataclass(frozen=True)
class Notice:
    """One message to some people: a catalog key and its values (plain, unescaped)."""

    person_ids: tuple[int, ...]
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    # One inline button under the text, described plainly (e.g. "open the re-grading card").
    button: Button | None = None


def render(notice: Notice, locale: str) -> str:
    """The notice's text in `locale`: values escaped, a `level` number named in words."""
    values: dict[str, Any] = {}
    for name, value in notice.values.items():
        if name == "level" and isinstance(value, int):
            values[name] = translate(level_key(value), locale)
        elif isinstance(value, str):
            values[name] = html.escape(value, quote=False)
        else:
            values[name] = value
    return translate(notice.key, locale, **values)


async def queue_notices(
    session: AsyncSession,
    clock: Clock,
    notices: Iterable[Notice],
    settings: Settings,
) -> int:
    """Queue each notice for each of its people with a Telegram account; the count queued."""
    queued = 0
    for notice in notices:
        if not notice.person_ids:
            continue
        people = await session.scalars(
            select(Person).where(
                Person.id.in_(notice.person_ids),
                Person.telegram_id.is_not(None),
                Person.active.is_(True),
            )
        )
        for person in people:
            locale = person_locale(person, settings)
            markup = keyboard([notice.button], locale) if notice.button else None
            # The outbox itself stores a row for an unreachable person as cancelled.
            await enqueue(
                session,
                chat_id=int(person.telegram_id or 0),
                person_id=person.id,
                text=render(notice, locale),
                reply_markup=markup,
                kind=f"{NOTICE_KIND_PREFIX}.{notice.key.rsplit('.', 1)[-1]}",
                priority=PRIORITY_PERSONAL,
                clock=clock,
                settings=settings,
            )
            queued += 1
    return queued
