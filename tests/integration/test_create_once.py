"""`bot.services.once.create_once`: one record per draft key, under a race too."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import FakeClock
from bot.domain.errors import ServiceError
from bot.scheduling.jobs import all_jobs
from bot.scheduling.runner import JobRunner
from bot.services.once import create_once
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.idempotency import IdempotencyKey
from storage.models.register import Power, Rule
from tests.kit.register import People, make_people
from tests.kit.rows import count_rows
from tests.kit.uow import unit_of_work

KEY = "k" * 32


@pytest.fixture
async def people(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    return await make_people(sessionmaker, clock)


def maker(session: AsyncSession, people: People, made: list[int]) -> Callable[[], Awaitable[Rule]]:
    async def create() -> Rule:
        made.append(1)
        rule = Rule(unit_id=people.department_id, title="制度", created_at=FakeClock().now())
        session.add(rule)
        return rule

    return create


async def test_a_key_makes_one_record_and_returns_it_after(
    sessionmaker: SessionMaker, clock: FakeClock, people: People
) -> None:
    made: list[int] = []
    async with unit_of_work(sessionmaker) as session:
        first, new = await create_once(
            session, clock, person_id=people.staff_id, key=KEY, model=Rule,
            create=maker(session, people, made),
        )  # fmt: skip
        assert new
    async with unit_of_work(sessionmaker) as session:
        again, new = await create_once(
            session, clock, person_id=people.staff_id, key=KEY, model=Rule,
            create=maker(session, people, made),
        )  # fmt: skip
        assert (again.id, new) == (first.id, False)
        # The same key is someone else's draft for another person, and nothing for another kind.
        _other, new = await create_once(
            session, clock, person_id=people.colleague_id, key=KEY, model=Rule,
            create=maker(session, people, made),
        )  # fmt: skip
        assert new
        with pytest.raises(ServiceError):
            await create_once(
                session, clock, person_id=people.staff_id, key=KEY, model=Power,
                create=maker(session, people, made),  # type: ignore[arg-type]
            )  # fmt: skip
    assert (len(made), await count_rows(sessionmaker, Rule)) == (2, 2)


async def test_without_a_key_it_simply_creates(
    sessionmaker: SessionMaker, clock: FakeClock, people: People
) -> None:
    made: list[int] = []
    for _ in range(2):
        async with unit_of_work(sessionmaker) as session:
            await create_once(
                session, clock, person_id=people.staff_id, key=None, model=Rule,
                create=maker(session, people, made),
            )  # fmt: skip
    assert await count_rows(sessionmaker, Rule) == 2


async def test_two_presses_at_once_make_one_record(
    sessionmaker: SessionMaker, clock: FakeClock, people: People, backend: str
) -> None:
    """Two replicas confirm the same draft together: the second waits for the first's key,
    then returns its record (PostgreSQL; SQLite's writers queue, one after the other)."""
    made: list[int] = []
    first_session, second_session = sessionmaker(), sessionmaker()
    try:
        first, _ = await create_once(
            first_session, clock, person_id=people.staff_id, key=KEY, model=Rule,
            create=maker(first_session, people, made),
        )  # fmt: skip
        second = asyncio.ensure_future(
            create_once(
                second_session, clock, person_id=people.staff_id, key=KEY, model=Rule,
                create=maker(second_session, people, made),
            )
        )  # fmt: skip
        if backend == "postgres":
            await asyncio.sleep(0.3)
            assert not second.done()  # waiting on the first's uncommitted key
        await first_session.commit()
        record, new = await asyncio.wait_for(second, 30)
        await second_session.commit()
        assert (record.id, new) == (first.id, False)
    finally:
        await first_session.close()
        await second_session.close()
    assert (len(made), await count_rows(sessionmaker, Rule)) == (1, 1)


async def test_the_scheduled_prune_forgets_old_keys_and_keeps_fresh_ones(
    sessionmaker: SessionMaker, clock: FakeClock, people: People, settings: Settings
) -> None:
    """Past IDEMPOTENCY_KEYS_KEPT_DAYS a key goes; a younger one stays, and its confirm
    pressed again still returns the first record."""
    kept = timedelta(days=settings.idempotency_keys_kept_days)
    made: list[int] = []

    async def confirm(key: str) -> tuple[Rule, bool]:
        async with unit_of_work(sessionmaker) as session:
            return await create_once(
                session, clock, person_id=people.staff_id, key=key, model=Rule,
                create=maker(session, people, made),
            )  # fmt: skip

    old, _ = await confirm("o" * 32)
    clock.advance(kept - timedelta(hours=1))
    fresh, _ = await confirm(KEY)
    clock.advance(timedelta(hours=2))  # the old key is now past retention, the fresh one not
    (prune,) = [job for job in all_jobs(settings) if job.name == "prune_idempotency_keys"]
    assert await JobRunner([prune], sessionmaker, clock, settings).tick() == [prune.name]

    async with unit_of_work(sessionmaker) as session:
        left = (await session.scalars(select(IdempotencyKey.key))).all()
    assert left == [KEY]
    again, new = await confirm(KEY)
    assert (again.id, new) == (fresh.id, False)
    assert (len(made), await count_rows(sessionmaker, Rule)) == (2, 2)
    assert old.id != fresh.id
