"""People: first contact, language choice, roles, and the first admin."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.roles import Role
from bot.domain.text_length import is_blank, utf16_len
from bot.i18n import LOCALES, locale_from_telegram
from bot.services import audit
from storage.models.org import Person, RoleAssignment, Unit
from storage.repositories import people as people_repo

NAME_MAX = 100


async def person_for_user(
    session: AsyncSession,
    clock: Clock,
    *,
    telegram_id: int,
    full_name: str,
    language_code: str | None,
    known: Person | None = None,
) -> Person:
    """The person behind a Telegram user, created as a citizen on first contact. The locale
    their Telegram app asks for is kept (the caller commits), for notices sent later.
    `known`: the person already loaded by the caller (no lookup then)."""
    person = known or await people_repo.by_telegram_id(session, telegram_id)
    app_locale = locale_from_telegram(language_code, "") or None
    if person is None:
        person = Person(
            telegram_id=telegram_id,
            name=full_name[:NAME_MAX],
            telegram_locale=app_locale,
            created_at=clock.now(),
            role_assignments=[],
        )
        session.add(person)
        await session.flush()
    elif app_locale is not None and person.telegram_locale != app_locale:
        person.telegram_locale = app_locale
    return person


def mark_started(clock: Clock, person: Person) -> bool:
    """Note that the person opened the bot; True the first time (a welcome, not a welcome back)."""
    if person.started_at is not None:
        return False
    person.started_at = clock.now()
    return True


async def set_language(session: AsyncSession, clock: Clock, person: Person, locale: str) -> None:
    if locale not in LOCALES:
        raise ServiceError("language.unknown")
    before = audit.snapshot(person, "language")
    person.language = locale
    audit.record(
        session,
        clock,
        actor=person,
        action="person.language",
        entity=person,
        before=before,
        after=audit.snapshot(person, "language"),
    )


def grant(person: Person, role: Role, unit: Unit | None) -> bool:
    """Give `person` a role (scoped to `unit`); False when they already had it."""
    if role in person.roles:
        return False
    person.role_assignments.append(
        RoleAssignment(role=role.value, unit_id=unit.id if unit else person.unit_id)
    )
    return True


async def add_admin(
    session: AsyncSession, clock: Clock, *, telegram_id: int, name: str, unit: Unit | None
) -> Person:
    """Create (or promote) the commission admin bound to `telegram_id`; used by the CLI."""
    name = "" if is_blank(name) else name.strip()
    if not name or utf16_len(name) > NAME_MAX:
        raise ServiceError("errors.name_length", limit=NAME_MAX)
    person = await people_repo.by_telegram_id(session, telegram_id)
    if person is None:
        person = Person(
            telegram_id=telegram_id, name=name, created_at=clock.now(), role_assignments=[]
        )
        session.add(person)
    before = audit.snapshot(person, "name", "unit_id") | {"roles": sorted(person.roles)}
    person.name = name
    if unit is not None:
        person.unit_id = unit.id
    grant(person, Role.ADMIN, unit)
    await session.flush()
    after = audit.snapshot(person, "name", "unit_id") | {"roles": sorted(person.roles)}
    audit.record(
        session,
        clock,
        actor=None,
        channel="cli",
        action="person.admin_add",
        entity=person,
        before=before,
        after=after,
    )
    return person
