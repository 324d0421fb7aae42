"""Who can't be reached: when and why is recorded, writing again clears it, and only admins
may list them, a page at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery.reachability import mark_reachable, mark_unreachable
from bot.domain.clock import FakeClock
from bot.domain.errors import NotAllowed
from bot.domain.roles import Role
from bot.services.unreachable import unreachable_page
from storage.db import SessionMaker
from storage.models.org import Person, RoleAssignment
from tests.kit.uow import unit_of_work


async def _person(sessionmaker: SessionMaker, name: str, tg: int, *roles: Role) -> int:
    async with sessionmaker() as session, session.begin():
        person = Person(telegram_id=tg, name=name)
        person.role_assignments = [RoleAssignment(role=r.value) for r in roles]
        session.add(person)
        await session.flush()
        return person.id


async def test_since_is_the_first_refusal_and_writing_again_clears_it(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    person_id = await _person(sessionmaker, "Gone", 5)
    first = clock.now()
    async with sessionmaker() as session, session.begin():
        await mark_unreachable(session, 5, "Forbidden: bot was blocked by the user", first)
    clock.advance(timedelta(hours=1))
    async with sessionmaker() as session, session.begin():
        await mark_unreachable(session, 5, "Forbidden: user is deactivated", clock.now())
    async with unit_of_work(sessionmaker) as session:
        person = await session.get(Person, person_id)
        assert person is not None
        assert person.unreachable_since == first
        assert person.unreachable_reason == "Forbidden: user is deactivated"
    async with sessionmaker() as session, session.begin():
        assert await mark_reachable(session, 5)
    async with unit_of_work(sessionmaker) as session:
        person = await session.get(Person, person_id)
        assert person is not None and not person.unreachable
        assert (person.unreachable_since, person.unreachable_reason) == (None, None)


async def test_admins_page_through_unreachable_people_and_others_are_refused(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    admin_id = await _person(sessionmaker, "Admin", 1, Role.ADMIN)
    reviewer_id = await _person(sessionmaker, "Reviewer", 2, Role.REVIEWER)
    for index in range(10):
        await _person(sessionmaker, f"P{index:02d}", 100 + index, Role.STAFF)
        async with sessionmaker() as session, session.begin():
            await mark_unreachable(session, 100 + index, "blocked", clock.now())
    await _person(sessionmaker, "Fine", 200, Role.STAFF)
    async with unit_of_work(sessionmaker) as session:
        admin = await session.get(Person, admin_id)
        reviewer = await session.get(Person, reviewer_id)
        assert admin is not None and reviewer is not None
        first = await unreachable_page(session, admin, 0, 8)
        second = await unreachable_page(session, admin, 8, 8)
        with pytest.raises(NotAllowed):
            await unreachable_page(session, reviewer, 0, 8)
    assert first.total == second.total == 10
    assert [p.name for p in first.people] == [f"P{i:02d}" for i in range(8)]
    assert [p.name for p in second.people] == ["P08", "P09"]
