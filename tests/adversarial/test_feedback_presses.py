"""Citizens' feedback under forged and replayed presses: real items (one waiting, one
answered and rated, one hidden), pressed by those who have no say on them, and the cards of
before each move pressed again by those who had.

The feedback flow's, the tracking's and the inbox's buttons (`FeedbackCb`, `TrackCb`,
`InboxCb`) are generated as in `test_presses.py`, but with the ids of real feedback and of
the item it was given on: other citizens, staff, leaders and another bureau's reviewer press
each. Then the answering reviewer presses answer, hide, mark duplicate, reopen and dispose
on the old versions of the answered and hidden items, and the sender rates again and
confirms the submitted draft again. Each gets a clear answer, no traceback and no write.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from aiogram import Dispatcher
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import FakeClock
from bot.domain.feedback import Kind, Rating
from bot.services import review as review_service
from bot.services.feedback import answering, submit, tracking
from bot.services.feedback.config import FeedbackConfig
from bot.services.review import ReviewConfig
from bot.settings import Settings
from handlers.callbacks import (
    FeedbackAction,
    FeedbackCb,
    InboxAction,
    InboxCb,
    TrackAction,
    TrackCb,
)  # fmt: skip
from storage.db import SessionMaker
from storage.models.feedback import Feedback
from storage.models.org import Person
from tests.adversarial.kit import press, watching
from tests.adversarial.test_presses import HUGE, generated
from tests.kit.feedback import make_citizen, open_round
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import People
from tests.kit.regrading import DEPT_REVIEWER, approved_risk, dept_reviewer, make_regrading_org
from tests.kit.uow import unit_of_work

SENDER, OTHER_CITIZEN = 880101, 880102
TEXTS = ("窗口办理时间太长，来回跑", "材料要求反复变化，无从准备", "（此处为辱骂他人的内容）")


@dataclass
class Items:
    people: People
    item: int  # the publicity item the feedback is on
    waiting: int
    answered: int
    hidden: int
    old: dict[int, list[int]]  # feedback id → the versions its cards showed before


async def version(session: object, feedback_id: int) -> int:
    item = await session.get(Feedback, feedback_id)  # type: ignore[attr-defined]
    assert item is not None
    return int(item.version)


@pytest.fixture
async def items(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> Items:
    people = await make_regrading_org(sessionmaker, clock)
    config = ReviewConfig.from_settings(settings.model_copy(update={"social_review_days": 0}))
    risk_id = await approved_risk(sessionmaker, clock, config, people)
    async with unit_of_work(sessionmaker) as session:
        await review_service.mark_publicised(session, clock, config, risk_ids=[risk_id])
    item = (await open_round(sessionmaker, clock, [risk_id]))[risk_id][0]
    sender = await make_citizen(sessionmaker, clock, SENDER, "市民甲")
    await make_citizen(sessionmaker, clock, OTHER_CITIZEN, "市民乙")
    official = await dept_reviewer(sessionmaker)
    feedback = FeedbackConfig.from_settings(settings)
    made: list[int] = []
    for text in TEXTS:
        async with unit_of_work(sessionmaker) as session:
            draft = submit.Draft(item_id=item, kind=Kind.OBJECTION, text=text)
            made.append((await submit.submit(session, clock, feedback, sender, draft)).feedback_id)
    waiting, answered, hidden = made
    old: dict[int, list[int]] = {answered: [], hidden: []}
    async with unit_of_work(sessionmaker) as session:
        person = await session.get(Person, official.id)
        assert person is not None
        old[answered].append(await version(session, answered))
        await answering.answer(
            session, clock, feedback, person, feedback_id=answered, text="已压缩办理时限"
        )
        old[hidden].append(await version(session, hidden))
        await answering.hide(session, clock, feedback, person, feedback_id=hidden, reason="辱骂")
    async with unit_of_work(sessionmaker) as session:
        old[answered].append(await version(session, answered))
        citizen = await session.get(Person, sender.id)
        assert citizen is not None
        await tracking.rate(
            session, clock, feedback, citizen, feedback_id=answered, rating=Rating.SATISFIED
        )
    return Items(people, item, waiting, answered, hidden, old)


def replays(items: Items) -> list[tuple[int, str]]:
    """The answering reviewer's and the sender's own old cards, pressed again."""
    presses: list[tuple[int, str]] = []
    for feedback_id, versions in items.old.items():
        for old, action in itertools.product(versions, InboxAction):
            data = InboxCb(action=action, feedback_id=feedback_id, version=old, value=0)
            presses.append((DEPT_REVIEWER, data.pack()))
    for old, rating in itertools.product(items.old[items.answered], range(len(Rating))):
        data = TrackCb(
            action=TrackAction.RATE, feedback_id=items.answered, value=rating, version=old
        )
        presses.append((SENDER, data.pack()))
    presses.append((SENDER, FeedbackCb(action=FeedbackAction.CONFIRM, item_id=items.item).pack()))
    return presses


async def test_feedback_buttons_forged_or_replayed_are_refused_cleanly(
    dp: Dispatcher, bot: MockedBot, engine: AsyncEngine, items: Items,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    people = items.people
    strangers = [OTHER_CITIZEN, people.staff, people.colleague, people.outsider, people.leader,
                 people.other_reviewer]  # fmt: skip
    everyone = [*strangers, SENDER, DEPT_REVIEWER, people.reviewer, people.admin]
    numbers = [items.waiting, items.answered, items.hidden, items.item]
    presses: list[tuple[int, str]] = []
    turn = itertools.count()
    for cls in (FeedbackCb, TrackCb, InboxCb):
        presses += [(strangers[next(turn) % len(strangers)], data)
                    for data in generated(cls, numbers)]  # fmt: skip
        presses += [(everyone[next(turn) % len(everyone)], data)
                    for data in generated(cls, [HUGE])]  # fmt: skip
    presses += replays(items)
    with watching(engine, request, "feedback presses") as (tally, crashes, watch):
        for who, data in presses:
            reply = await press(dp, bot, who, data)
            tally.judge(
                f"{who} {data}", crashed=bool(crashes.take()), wrote=bool(watch.take()),
                answered=reply.any and not reply.unexpected,
            )  # fmt: skip
    assert tally.tried > 100
    tally.assert_clean()
