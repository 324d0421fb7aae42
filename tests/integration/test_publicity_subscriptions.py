"""Subscriptions: a bureau's subscriber follows its departments; choosing again replaces the
choice; an empty choice unsubscribes; forged unit ids drop out."""

from __future__ import annotations

from bot.domain.clock import FakeClock
from bot.services.publicity import subscriptions
from bot.services.publicity.subscriptions import Choice
from storage.db import SessionMaker
from tests.kit.register import load, make_people


async def test_who_follows_which_units(sessionmaker: SessionMaker, clock: FakeClock) -> None:
    people = await make_people(sessionmaker, clock)
    bureau_fan = await load(sessionmaker, people.colleague_id)
    everything = await load(sessionmaker, people.outsider_id)
    other_fan = await load(sessionmaker, people.leader_id)
    async with sessionmaker() as session:
        saved = await subscriptions.save(
            session, clock, bureau_fan, Choice(False, (people.bureau_id, 99999))
        )
        assert saved.unit_ids == (people.bureau_id,)
        await subscriptions.save(session, clock, everything, Choice(True, (people.bureau_id,)))
        await subscriptions.save(session, clock, other_fan, Choice(False, (people.other_unit_id,)))
        await session.commit()
    async with sessionmaker() as session:
        department = await subscriptions.subscribers_for(session, [people.department_id])
        assert {s.person_id for s in department} == {people.colleague_id, people.outsider_id}
        every = await subscriptions.subscribers_for(session, None)
        assert len(every) == 3
        assert (await subscriptions.choice_of(session, everything)) == Choice(True, ())
    async with sessionmaker() as session:
        await subscriptions.save(
            session, clock, bureau_fan, Choice(False, (people.other_unit_id,))
        )
        await subscriptions.save(session, clock, other_fan, subscriptions.NONE)
        await session.commit()
    async with sessionmaker() as session:
        other = await subscriptions.subscribers_for(session, [people.other_unit_id])
        assert {s.person_id for s in other} == {people.colleague_id, people.outsider_id}
        assert (await subscriptions.choice_of(session, other_fan)).empty
