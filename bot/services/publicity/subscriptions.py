"""/subscribe: who wants to hear of publicity rounds, for all units or the chosen ones.

A subscription is one row per person; choosing again replaces it. A chosen unit covers its
departments. Anyone may subscribe (citizens included: a person record exists from /start).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.services.publicity.scope import known_unit_ids
from storage.models.org import Person, Unit
from storage.models.publicity import PublicitySubscription

UNITS_MAX = 100


@dataclass(frozen=True)
class Choice:
    """What a person follows: every unit, or these ones."""

    all_units: bool
    unit_ids: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return not self.all_units and not self.unit_ids


NONE = Choice(False, ())


@dataclass(frozen=True)
class Subscriber:
    person_id: int
    telegram_id: int
    language: str | None
    telegram_locale: str | None


async def choice_of(session: AsyncSession, person: Person) -> Choice:
    row = await session.scalar(
        select(PublicitySubscription).where(PublicitySubscription.person_id == person.id)
    )
    if row is None:
        return NONE
    return Choice(row.all_units, tuple(row.unit_ids or ()))


async def save(session: AsyncSession, clock: Clock, person: Person, choice: Choice) -> Choice:
    """Replace the person's subscription (an empty choice unsubscribes)."""
    if person.id is None:  # pragma: no cover - the middleware always stores the person
        raise ServiceError("errors.not_allowed")
    if len(choice.unit_ids) > UNITS_MAX:
        raise ServiceError("subscribe.too_many", limit=UNITS_MAX)
    units = tuple(await known_unit_ids(session, choice.unit_ids))
    await session.execute(
        delete(PublicitySubscription).where(PublicitySubscription.person_id == person.id)
    )
    saved = Choice(choice.all_units, () if choice.all_units else units)
    if not saved.empty:
        session.add(
            PublicitySubscription(
                person_id=person.id,
                all_units=saved.all_units,
                unit_ids=list(saved.unit_ids),
                updated_at=clock.now(),
            )
        )
    await session.flush()
    return saved


async def ancestors_or_self(session: AsyncSession, unit_ids: Iterable[int]) -> set[int]:
    """Each unit and every unit above it (by path)."""
    ids = set(unit_ids)
    if not ids:
        return set()
    paths = list(await session.scalars(select(Unit.path).where(Unit.id.in_(sorted(ids)))))
    prefixes = {"/".join(p.split("/")[: n + 1]) for p in paths for n in range(p.count("/") + 1)}
    rows = await session.scalars(select(Unit.id).where(Unit.path.in_(sorted(prefixes))))
    return ids | set(rows)


async def subscribers_for(
    session: AsyncSession, unit_ids: Sequence[int] | None
) -> list[Subscriber]:
    """Who follows any of these units (None: the round covers every unit), by person id.

    A subscriber of a bureau follows its departments; people without Telegram or inactive
    are left out (unreachable ones are kept: the outbox stores their rows cancelled).
    """
    covering = None if unit_ids is None else await ancestors_or_self(session, unit_ids)
    rows = await session.execute(
        select(
            PublicitySubscription.all_units,
            PublicitySubscription.unit_ids,
            Person.id,
            Person.telegram_id,
            Person.language,
            Person.telegram_locale,
        )
        .join(Person, Person.id == PublicitySubscription.person_id)
        .where(Person.active.is_(True), Person.telegram_id.is_not(None))
        .order_by(Person.id)
    )
    out = []
    for all_units, chosen, person_id, telegram_id, language, telegram_locale in rows:
        if telegram_id is None:  # the query leaves them out; this tells the type checker
            continue
        if all_units or covering is None or covering.intersection(chosen or ()):
            out.append(Subscriber(person_id, telegram_id, language, telegram_locale))
    return out
