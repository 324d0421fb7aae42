"""The review path as a crashing process meets it: every decision of a reviewer or a colleague
is killed at every write it makes in turn (and at each commit, as in test_declaration.py).

The decisions: a colleague's comment and agreement in social review (/peer), closing social
review early, passing graded review, returning with a comment, and setting another level with
its reason. For each one, a fresh record is brought to the step through the services; the
person reaches the decision through the dispatcher and the decisive press or text is killed at
its Nth write. "Restart": the person does the same thing again, and if the record has not
moved on, goes through the decision once more from the start, as anyone would. Then the
record must look exactly as after an uninterrupted decision (its state, version, notes by
kind, audit actions, notices queued): no duplicate, nothing lost, and never "unexpected error".
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from aiogram import Dispatcher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import FakeClock
from bot.domain.risk_workflow import Action
from bot.i18n import translate
from bot.services import review as review_service
from bot.services import risks
from bot.services.review import Decision, ReviewConfig
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from handlers.callbacks import PeerAction, PeerCb, ReviewCb
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.register import RiskPoint
from storage.models.review import ReviewNote, RiskReview
from tests.adversarial.kit import Killed, Reply, crash_watch, press, say, tap
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import People
from tests.kit.regrading import DEPT_REVIEWER, make_regrading_org
from tests.kit.uow import unit_of_work

LOW = dict.fromkeys(("importance", "discretion", "public", "likelihood", "harm"), 1)


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


@dataclass(frozen=True)
class Step:
    """One decision: the record's state before it (`to` moves a fresh one there), who takes
    it, the presses that lead to it (`reach`) and the decisive press or text (`decide`)."""

    who: Callable[[People], int]
    to: tuple[tuple[str, Action], ...]  # (People attribute of the actor, move) from social
    reach: Callable[[Dispatcher, MockedBot, int, int], Awaitable[None]]
    decide: Callable[[Dispatcher, MockedBot, int, int], Awaitable[Reply]]


async def nothing(_dp: Dispatcher, _bot: MockedBot, _who: int, _risk: int) -> None:
    return None


async def open_peer(dp: Dispatcher, bot: MockedBot, who: int, risk: int) -> None:
    """The record's card from the /peer list (its button pressed by its data: the list of
    records in social review grows page by page as the test goes on)."""
    await press(dp, bot, who, PeerCb(a=PeerAction.OPEN, r=risk).pack())


async def peer_comment(dp: Dispatcher, bot: MockedBot, who: int, risk: int) -> None:
    await open_peer(dp, bot, who, risk)
    await tap(dp, bot, who, zh("peer.btn.comment"))


def saying(text: str) -> Callable[[Dispatcher, MockedBot, int, int], Awaitable[Reply]]:
    async def decide(dp: Dispatcher, bot: MockedBot, who: int, _risk: int) -> Reply:
        return await say(dp, bot, who, text)

    return decide


def tapping(label: str) -> Callable[[Dispatcher, MockedBot, int, int], Awaitable[Reply]]:
    """The newest button captioned `label` on this record's card; pressed again, the same
    button (not the next card's, shown after the decision, which has the same caption)."""

    async def decide(dp: Dispatcher, bot: MockedBot, who: int, risk: int) -> Reply:
        for method in reversed(bot.sent(who)):
            rows = getattr(getattr(method, "reply_markup", None), "inline_keyboard", None) or []
            for button in (b for row in rows for b in row):
                data = str(button.callback_data or "")
                if button.text == label and f":{risk}:" in f"{data}:":
                    return await press(dp, bot, who, data)
        raise AssertionError(f"no button {label!r} for #{risk}")

    return decide


def card(kind: str) -> Callable[[Dispatcher, MockedBot, int, int], Awaitable[None]]:
    """This record's card in the kind of /review (as "skip" on the card before it goes)."""

    async def reach(dp: Dispatcher, bot: MockedBot, who: int, risk: int) -> None:
        await press(dp, bot, who, ReviewCb(a="sk", r=risk - 1, k=kind).pack())

    return reach


def then(
    first: Callable[[Dispatcher, MockedBot, int, int], Awaitable[None]], *labels: str
) -> Callable[[Dispatcher, MockedBot, int, int], Awaitable[None]]:
    async def reach(dp: Dispatcher, bot: MockedBot, who: int, risk: int) -> None:
        await first(dp, bot, who, risk)
        for label in labels:
            await tap(dp, bot, who, label)

    return reach


def dept_reviewer(_people: People) -> int:
    return DEPT_REVIEWER


TO_GRADED = (("reviewer", Action.CLOSE_SOCIAL),)
TO_APPROVAL = (*TO_GRADED, ("dept", Action.PASS_REVIEW))
STEPS: dict[str, Step] = {
    "peer comment": Step(lambda p: p.colleague, (), peer_comment, saying("建议增加抽查比例")),
    "peer agree": Step(lambda p: p.colleague, (), open_peer, tapping(zh("peer.btn.agree"))),
    "close social review": Step(
        lambda p: p.reviewer, (), card("social"), tapping(zh("review.btn.close_social"))
    ),
    "pass graded review": Step(
        dept_reviewer, TO_GRADED, card("graded"), tapping(zh("review.btn.approve"))
    ),
    "return with a comment": Step(
        dept_reviewer,
        TO_GRADED,
        then(card("graded"), zh("review.btn.return")),
        saying("措施不够具体，请补充时限"),
    ),
    "set another level": Step(
        lambda p: p.reviewer,
        TO_APPROVAL,
        then(card("approval"), zh("review.btn.set_level"), zh("grading.level.2")),
        saying("涉及大额资金，提级管理"),
    ),
}


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    return await make_regrading_org(sessionmaker, clock)


async def fresh_record(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, people: People, step: Step
) -> int:
    """A record of 王芳's declared (social review), moved to the step's state by the services."""
    config = ReviewConfig.from_settings(settings)
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, people.staff_id)
        assert staff is not None
        risk = await risks.declare_risk(
            session, clock, actor=staff, settings=settings,
            draft=RiskDraft(description="审批中收受好处", risk_type="duty", factors=LOW,
                            measures=[MeasureDraft("审批结果公示", date(2027, 12, 31))]),
        )  # fmt: skip
        for actor, action in step.to:
            who = people.reviewer_id if actor == "reviewer" else None
            if actor == "dept":
                who = await session.scalar(
                    select(Person.id).where(Person.telegram_id == DEPT_REVIEWER)
                )
            person = await session.get(Person, who)
            await review_service.transition(
                session, clock, config, actor=person, risk_id=risk.id, decision=Decision(action)
            )
        return risk.id


async def picture(sessionmaker: SessionMaker, risk_id: int, since: int) -> tuple[Any, ...]:
    """What a decision leaves: the record's state, version and level, its notes by kind, its
    audit actions, the notices queued after outbox row `since` (by kind and chat)."""
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        review = await session.get(RiskReview, risk_id)
        assert risk is not None and review is not None
        notes = Counter(
            await session.scalars(select(ReviewNote.kind).where(ReviewNote.risk_id == risk_id))
        )
        audit = Counter(
            await session.scalars(
                select(AuditLog.action).where(
                    AuditLog.entity_type == RiskPoint.__tablename__, AuditLog.entity_id == risk_id
                )
            )
        )
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id).where(OutboxMessage.id > since)
        )
        queued = Counter(f"{kind}@{chat}" for kind, chat in rows.all())
        return (risk.status, review.version, review.final_level, notes, audit, queued)


async def last_outbox(sessionmaker: SessionMaker) -> int:
    async with unit_of_work(sessionmaker) as session:
        return int(await session.scalar(select(func.max(OutboxMessage.id))) or 0)


@pytest.mark.parametrize("name", STEPS)  # one test a decision, so pytest-xdist spreads them
async def test_a_crash_at_every_write_of_a_review_decision_loses_and_repeats_nothing(
    dp: Dispatcher, engine: AsyncEngine, sessionmaker: SessionMaker, clock: FakeClock,
    settings: Settings, org: People, request: pytest.FixtureRequest, name: str,
) -> None:  # fmt: skip
    with crash_watch(engine, request, "review crashes") as (tally, kill, crashes):
        for step in [STEPS[name]]:
            who = step.who(org)
            # The decision uninterrupted, for the picture every crashed one must end in.
            risk = await fresh_record(sessionmaker, clock, settings, org, step)
            bot = MockedBot()
            since = await last_outbox(sessionmaker)
            await step.reach(dp, bot, who, risk)
            reply = await step.decide(dp, bot, who, risk)
            assert reply.any and not reply.unexpected, (name, reply)
            expected = await picture(sessionmaker, risk, since)
            assert expected[0] != step.to or expected[3], f"{name}: the decision changed nothing"
            n = 0
            while True:
                n += 1
                risk = await fresh_record(sessionmaker, clock, settings, org, step)
                bot = MockedBot()
                since = await last_outbox(sessionmaker)
                await step.reach(dp, bot, who, risk)
                kill.arm(n)
                with contextlib.suppress(Killed):
                    await step.decide(dp, bot, who, risk)
                fired = kill.fired
                kill.arm(0)
                tally.tried += 1
                # The restart: the same press or text again; then, if the record has not
                # moved on, the decision once more from the start.
                again = await step.decide(dp, bot, who, risk)
                now = await picture(sessionmaker, risk, since)
                if now[:3] != expected[:3] or now[3] != expected[3]:
                    try:
                        await step.reach(dp, bot, who, risk)
                        again = await step.decide(dp, bot, who, risk)
                    except AssertionError as stuck:  # the button to finish with is not there
                        tally.problem(f"{name}, kill at {n}: {stuck} at {now}")
                    now = await picture(sessionmaker, risk, since)
                if crashes.take():
                    tally.tracebacks += 1
                    tally.problem(f"{name}, kill at {n}: traceback")
                if again.unexpected or not again.any:
                    tally.lost += 1
                    tally.problem(f"{name}, kill at {n}: answered {again}")
                elif now == expected:
                    tally.refused += 1
                elif any(now[i] - expected[i] for i in (3, 4, 5)):  # more of something
                    tally.unintended_writes += 1
                    tally.problem(f"{name}, kill at {n}: {now} instead of {expected}")
                else:
                    tally.lost += 1
                    tally.problem(f"{name}, kill at {n}: {now} instead of {expected}")
                if not fired:  # the decision made fewer writes than n: every point was tried
                    break
                assert n < 60
    assert tally.tried > 3
    tally.assert_clean()
