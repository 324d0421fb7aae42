"""The text steps that need their wizard's data, walked there through the dispatcher: a
broadcast's message, a unit's categories, a proposed risk point's description, a reopening's
reason, the answer to a citizen's feedback and a reviewer's comment on returning a record.

At each, the person types what no step accepts (empty, blank, zero-width, over-long, emoji past
the limit in UTF-16 units): a clear answer, no traceback, no write, the step kept. Then HTML
(`<b>x</b> & <i>`) and emoji within the limit are taken, kept exactly as typed, and shown
escaped. `test_text_steps.py` lists these steps as covered here.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import FakeClock
from bot.domain.feedback import ANSWER_MAX, Kind
from bot.domain.register_rules import CATEGORY_MAX, DESCRIPTION_MAX
from bot.domain.risk_workflow import Action
from bot.i18n import translate
from bot.services import review as review_service
from bot.services import risks
from bot.services.broadcast import TEXT_MAX
from bot.services.feedback import submit
from bot.services.feedback.config import FeedbackConfig
from bot.services.powers import categories_for
from bot.services.review import Decision, ReviewConfig
from bot.services.review.model import COMMENT_MAX
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from handlers.callbacks import InboxAction, InboxCb, ReopenAction, ReopenCb, ReviewCb
from storage.db import SessionMaker
from storage.models.feedback import Feedback
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.register import RiskPoint
from storage.models.review import ReviewNote
from tests.adversarial.kit import Reply, press, say, tap, tap_first, watching
from tests.kit.feedback import make_citizen, open_round
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import People
from tests.kit.regrading import DEPT_REVIEWER, LOW, approved_risk, make_regrading_org
from tests.kit.uow import unit_of_work

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
HTML = "<b>x</b> & <i>"


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


def refused(limit: int) -> list[str]:
    return ["", "   \n\t\u3000", ZERO_WIDTH, f" {ZERO_WIDTH} ", "长" * (limit + 1),
            "😀" * (limit // 2 + 1)]  # fmt: skip


def kept(limit: int) -> list[str]:
    return [HTML, "😀" * min(limit // 2, 200)]


@dataclass
class World:
    dp: Dispatcher
    sessionmaker: SessionMaker
    clock: FakeClock
    settings: Settings
    people: People
    item: int = 0  # the publicity item citizens give feedback on
    made: int = 0  # citizens made for the walks so far (a fresh one a walk)


# A step: who types, the wizard up to the text step (returns what the kept text belongs to),
# the limit, and what was stored of the accepted text.
Reach = Callable[[World, MockedBot, int], Awaitable[Any]]
Stored = Callable[[World, Any], Awaitable[str | None]]


@dataclass(frozen=True)
class Step:
    state: str
    who: Callable[[People], int]
    reach: Reach
    limit: int
    stored: Stored
    after: Callable[[World, MockedBot, int], Awaitable[Any]] | None = None  # to the write
    echoes: bool = False  # the answer to the accepted text shows it


def review_config(world: World) -> ReviewConfig:
    """As approved_risk needs it: no days of social review to wait."""
    return ReviewConfig.from_settings(world.settings.model_copy(update={"social_review_days": 0}))


async def reach_broadcast(world: World, bot: MockedBot, who: int) -> None:
    await say(world.dp, bot, who, "/broadcast")
    await tap(world.dp, bot, who, zh("broadcast.audience_reviewers"))
    await tap(world.dp, bot, who, zh("broadcast.all_units"))


async def send_broadcast(world: World, bot: MockedBot, who: int) -> None:
    await tap(world.dp, bot, who, zh("broadcast.send"))


async def broadcast_sent(world: World, _of: Any) -> str | None:
    async with unit_of_work(world.sessionmaker) as session:
        payload = await session.scalar(
            select(OutboxMessage.payload)
            .where(OutboxMessage.kind == "broadcast")
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    if payload is None or payload["parse_mode"] != "HTML":
        return None
    sent = str(payload["text"])  # as HTML, escaped: then it reads as typed
    return html.unescape(sent) if sent == html.escape(html.unescape(sent), quote=False) else sent


async def reach_categories(world: World, bot: MockedBot, who: int) -> int:
    await say(world.dp, bot, who, "/categories")
    await tap(world.dp, bot, who, "长安区/卫生局/医政科")
    await tap_first(world.dp, bot, who)  # 对外
    return world.people.department_id


async def categories_saved(world: World, unit_id: int) -> str | None:
    async with unit_of_work(world.sessionmaker) as session:
        names = await categories_for(session, unit_id, "external")
    return "、".join(names)


async def reach_propose(world: World, bot: MockedBot, who: int) -> None:
    await say(world.dp, bot, who, "/propose")
    await tap_first(world.dp, bot, who)  # 医政审批岗


async def choose_type(world: World, bot: MockedBot, who: int) -> None:
    await tap(world.dp, bot, who, zh("register.risk_type.process"))


async def proposed(world: World, _of: Any) -> str | None:
    async with unit_of_work(world.sessionmaker) as session:
        return await session.scalar(
            select(RiskPoint.description).order_by(RiskPoint.id.desc()).limit(1)
        )


async def note_of(world: World, risk_id: int, kind: str) -> str | None:
    async with unit_of_work(world.sessionmaker) as session:
        return await session.scalar(
            select(ReviewNote.text)
            .where(ReviewNote.risk_id == risk_id, ReviewNote.kind == kind)
            .order_by(ReviewNote.id.desc())
            .limit(1)
        )


async def reach_reopen(world: World, bot: MockedBot, who: int) -> int:
    risk_id = await approved_risk(
        world.sessionmaker, world.clock, review_config(world), world.people
    )
    await press(world.dp, bot, who, ReopenCb(a=ReopenAction.NEXT, r=risk_id - 1).pack())
    await tap(world.dp, bot, who, zh("reopen.btn.reopen"))
    return risk_id


async def reopen_reason(world: World, risk_id: int) -> str | None:
    return await note_of(world, risk_id, "reopen")


async def graded_risk(world: World) -> int:
    """A record of 王芳's declared and moved on to graded review."""
    config = ReviewConfig.from_settings(world.settings)
    async with unit_of_work(world.sessionmaker) as session:
        staff = await session.get(Person, world.people.staff_id)
        risk = await risks.declare_risk(
            session, world.clock, actor=staff, settings=world.settings,
            draft=RiskDraft(description="审批中收受好处", risk_type="duty", factors=LOW,
                            measures=[MeasureDraft("审批结果公示", date(2027, 12, 31))]),
        )  # fmt: skip
        reviewer = await session.get(Person, world.people.reviewer_id)
        await review_service.transition(
            session, world.clock, config, actor=reviewer, risk_id=risk.id,
            decision=Decision(Action.CLOSE_SOCIAL),
        )  # fmt: skip
        return risk.id


async def reach_return(world: World, bot: MockedBot, who: int) -> int:
    risk_id = await graded_risk(world)
    await press(world.dp, bot, who, ReviewCb(a="sk", r=risk_id - 1, k="graded").pack())
    await tap(world.dp, bot, who, zh("review.btn.return"))
    return risk_id


async def return_comment(world: World, risk_id: int) -> str | None:
    return await note_of(world, risk_id, "return")


async def reach_answer(world: World, bot: MockedBot, who: int) -> int:
    world.made += 1
    citizen = await make_citizen(
        world.sessionmaker, world.clock, 880000 + world.made, f"市民{world.made}"
    )
    config = FeedbackConfig.from_settings(world.settings)
    draft = submit.Draft(item_id=world.item, kind=Kind.OBJECTION, text="窗口办理时间太长，来回跑")
    async with unit_of_work(world.sessionmaker) as session:
        receipt = await submit.submit(session, world.clock, config, citizen, draft)
        await session.commit()
    await press(
        world.dp,
        bot,
        who,
        InboxCb(action=InboxAction.OPEN, feedback_id=receipt.feedback_id).pack(),
    )
    await tap(world.dp, bot, who, zh("feedback.btn.answer"))
    return receipt.feedback_id


async def answer_of(world: World, feedback_id: int) -> str | None:
    async with unit_of_work(world.sessionmaker) as session:
        item = await session.get(Feedback, feedback_id)
        return item.answer if item else None


STEPS = {
    "BroadcastFlow:text": Step(
        "BroadcastFlow:text",
        lambda p: p.admin,
        reach_broadcast,
        TEXT_MAX,
        broadcast_sent,
        send_broadcast,
        echoes=True,
    ),
    "CategoryFlow:names": Step(
        "CategoryFlow:names",
        lambda p: p.admin,
        reach_categories,
        CATEGORY_MAX,
        categories_saved,
        echoes=True,
    ),
    "Propose:description": Step(
        "Propose:description",
        lambda p: p.reviewer,
        reach_propose,
        DESCRIPTION_MAX,
        proposed,
        choose_type,
    ),
    "ReopenFlow:reason": Step(
        "ReopenFlow:reason", lambda p: p.reviewer, reach_reopen, COMMENT_MAX, reopen_reason
    ),
    "ReplyFlow:text": Step(
        "ReplyFlow:text", lambda _p: DEPT_REVIEWER, reach_answer, ANSWER_MAX, answer_of
    ),
    "ReviewFlow:comment": Step(
        "ReviewFlow:comment", lambda _p: DEPT_REVIEWER, reach_return, COMMENT_MAX, return_comment
    ),
}


@pytest.fixture
async def world(
    dp: Dispatcher, sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> World:
    people = await make_regrading_org(sessionmaker, clock)
    found = World(dp, sessionmaker, clock, settings, people)
    config = review_config(found)
    risk_id = await approved_risk(sessionmaker, clock, config, people)
    async with unit_of_work(sessionmaker) as session:
        await review_service.mark_publicised(session, clock, config, risk_ids=[risk_id])
        await session.commit()
    items = await open_round(sessionmaker, clock, [risk_id])
    found.item = items[risk_id][0]
    return found


@pytest.mark.parametrize("name", STEPS)
async def test_a_walked_text_step_refuses_bad_input_and_keeps_html_and_emoji(
    world: World, fsm_storage: BaseStorage, engine: AsyncEngine,
    request: pytest.FixtureRequest, name: str,
) -> None:  # fmt: skip
    step = STEPS[name]
    who = step.who(world.people)
    with watching(engine, request, f"walked text step {name}") as (tally, crashes, watch):
        for text in kept(step.limit):
            bot = MockedBot()
            key = StorageKey(bot_id=bot.id, chat_id=who, user_id=who)
            of = await step.reach(world, bot, who)
            assert await fsm_storage.get_state(key) == step.state, name
            crashes.take(), watch.take()
            for bad in refused(step.limit):
                reply = await say(world.dp, bot, who, bad)
                tally.judge(
                    f"{name} {bad[:8]!r}", crashed=bool(crashes.take()), wrote=bool(watch.take()),
                    answered=bool(reply.texts) and not reply.unexpected
                    and await fsm_storage.get_state(key) == step.state,
                )  # fmt: skip
            reply: Reply = await say(world.dp, bot, who, text)
            if step.after is not None:
                assert await fsm_storage.get_state(key) != step.state, (name, reply)
                await step.after(world, bot, who)
            tally.kept(
                f"{name} {text[:8]!r}", text, await step.stored(world, of), reply.texts,
                crashed=bool(crashes.take()), echoes=step.echoes,
            )  # fmt: skip
            watch.take()
    tally.assert_clean()
