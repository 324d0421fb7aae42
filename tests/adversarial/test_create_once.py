"""Every "create" button of the bot makes one record, however often it is confirmed.

Each wizard that ends by creating a record (a power, a rule, a proposed risk point, an
invitation, a campaign, a publicity round, a citizen's feedback, a measure's report, a measure
added at re-grading) is walked through the dispatcher to its last step. The confirm is then
pressed with the conversation's clear lost — as when the bot is killed after the record was
committed and before the state was cleared, or two replicas take a double tap at once — and
pressed again: exactly one record, and the second press shows it like the first (never
"unexpected error", never a second row). The risk declaration has its own crash test
(test_declaration.py). `CREATES` must name every handler that makes a record from a wizard.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.fsm.context import FSMContext
from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.services.review import ReviewConfig
from bot.settings import Settings
from handlers.callbacks import FeedbackAction, FeedbackCb, RegradeCb, RiskCb
from storage.db import SessionMaker
from storage.models.campaign import Campaign
from storage.models.feedback import Feedback
from storage.models.invitation import Invitation
from storage.models.publicity import PublicityItem, PublicityRound
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint, Rule
from tests.adversarial.kit import Reply, Tally, Tracebacks, press, say, tap, tap_first
from tests.kit.mocked_bot import MockedBot
from tests.kit.publicity import approved_risks
from tests.kit.register import People
from tests.kit.regrading import due_risk, make_regrading_org
from tests.kit.rows import count_rows
from tests.kit.uow import unit_of_work

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
# A service call that makes a record (by the services' naming: create_…, add_…, propose_…).
MAKES = re.compile(
    r"^(create_(?!once$|router$|dispatcher$|\w+_router$)|add_|propose_|declare_|submit$"
    r"|report_measure$|start_broadcast$|record_discussion$)"
)
# Creates that are idempotent by a key of their own, with the test that holds them to it.
OWN_KEYS = {
    "handlers.staff.risks.declare.submit": "draft_key; test_declaration.py",
    "handlers.admin.broadcast.send": "batch id; tests/dispatcher/test_broadcast.py",
    # A state move (集体议 recorded): a second one is refused by the record's new state.
    "handlers.staff.risks.actions.enter_discussion_summary": "the workflow's state",
}


def zh(key: str, **values: object) -> str:
    from bot.i18n import translate

    return translate(key, "zh", **values)


@dataclass(frozen=True)
class Flow:
    """A wizard up to its last step (`walk`), the confirm (`confirm`), the rows it makes."""

    who: str  # the People attribute of the person who runs it
    walk: Callable[[Dispatcher, MockedBot, int, dict[str, Any]], Awaitable[None]]
    confirm: Callable[[Dispatcher, MockedBot, int, dict[str, Any]], Awaitable[Reply]]
    model: Any


def tapping(label: str) -> Callable[..., Awaitable[Reply]]:
    async def confirm(dp: Dispatcher, bot: MockedBot, telegram_id: int, _: dict) -> Reply:
        return await tap(dp, bot, telegram_id, label)

    return confirm


async def tapping_first(dp: Dispatcher, bot: MockedBot, telegram_id: int, _: dict) -> Reply:
    return await tap_first(dp, bot, telegram_id)


def saying(text: str) -> Callable[..., Awaitable[Reply]]:
    async def confirm(dp: Dispatcher, bot: MockedBot, telegram_id: int, _: dict) -> Reply:
        return await say(dp, bot, telegram_id, text)

    return confirm


def scripted(*steps: tuple[str, str]) -> Callable[..., Awaitable[None]]:
    """A walk as a person takes it: ("say", text), ("tap", a button's caption) or ("first", "")
    for the first button of the newest keyboard."""

    async def walk(dp: Dispatcher, bot: MockedBot, telegram_id: int, _: dict) -> None:
        for verb, value in steps:
            if verb == "say":
                await say(dp, bot, telegram_id, value)
            elif verb == "tap":
                await tap(dp, bot, telegram_id, value)
            else:
                await tap_first(dp, bot, telegram_id)

    return walk


walk_power = scripted(
    ("say", "/powers"),
    ("tap", zh("powers.add")),
    ("say", "医疗机构设置审批"),
    ("say", "审批设置申请"),
    ("first", ""),  # "this post"
    ("say", "《医疗机构管理条例》"),
    ("tap", zh("register.scope.external")),
    ("first", ""),  # a category
)


walk_rule = scripted(
    ("say", "/rules"),
    ("tap", zh("rules.add")),
    ("tap", "长安区/卫生局/医政科"),
    ("say", "医政审批集体研究制度"),
    ("tap", zh("rules.skip")),
    ("say", "2027-03-01"),
)


walk_propose = scripted(
    ("say", "/propose"),
    ("first", ""),  # 医政审批岗
    ("say", "审批超时限"),
)


walk_invite = scripted(
    ("say", "/invite"),
    ("tap", "长安区/卫生局/医政科"),
    ("tap", "医政审批岗"),
    ("tap", zh("invite.roles_done")),
    ("say", "吴新"),
)


walk_campaign = scripted(
    ("say", "/campaign"),
    ("tap", zh("campaign.new")),
    ("say", "风险排查"),
    ("tap", "▫️ 长安区/卫生局"),
    ("tap", zh("campaign.units_done")),
    ("tap", zh("campaign.req.risks")),
    ("first", ""),  # 7 天后
)


walk_round = scripted(
    ("say", "/publicity"),
    ("tap", zh("publicity.admin.new")),
    ("tap", zh("publicity.scope_all")),
    ("tap", zh("publicity.active_no")),
    ("tap", zh("publicity.start_now")),
)


async def walk_feedback(dp: Dispatcher, bot: MockedBot, citizen: int, world: dict) -> None:
    start = FeedbackCb(action=FeedbackAction.START, item_id=world["item"]).pack()
    await press(dp, bot, citizen, start)
    kind = FeedbackCb(action=FeedbackAction.KIND, item_id=world["item"], value=0).pack()
    await press(dp, bot, citizen, kind)
    await say(dp, bot, citizen, "窗口办理时间太长，群众要来回跑好几趟")
    await press(dp, bot, citizen, FeedbackCb(action=FeedbackAction.FILES_DONE).pack())


async def confirm_feedback(dp: Dispatcher, bot: MockedBot, citizen: int, _: dict) -> Reply:
    return await press(dp, bot, citizen, FeedbackCb(action=FeedbackAction.CONFIRM).pack())


walk_report = scripted(
    ("say", "/measures"),
    ("first", ""),  # the measure
    ("first", ""),  # report it as in progress
)


async def walk_regrade_measure(dp: Dispatcher, bot: MockedBot, staff: int, world: dict) -> None:
    await press(dp, bot, staff, RegradeCb(a="open", r=world["due"]).pack())
    await press(dp, bot, staff, RegradeCb(a="add", r=world["due"]).pack())
    await say(dp, bot, staff, "每月抽查十件")
    await press(dp, bot, staff, RiskCb(action="who").pack())


async def confirm_regrade_measure(dp: Dispatcher, bot: MockedBot, staff: int, _: dict) -> Reply:
    return await press(dp, bot, staff, RiskCb(action="quick", value=1).pack())


# The handler that makes the record → its flow. A new "create" handler fails
# `test_every_create_handler_is_walked` until it is listed here.
CREATES: dict[str, Flow] = {
    "handlers.staff.powers.save": Flow("staff", walk_power, tapping(zh("powers.save")), Power),
    "handlers.common.rules.choose_matter": Flow(
        "reviewer", walk_rule, tapping(zh("rules.matter.decision")), Rule
    ),
    "handlers.reviewer.register.choose_type": Flow(
        "reviewer", walk_propose, tapping(zh("register.risk_type.process")), RiskPoint
    ),
    "handlers.admin.invite.create": Flow(
        "admin", walk_invite, tapping(zh("invite.create")), Invitation
    ),
    "handlers.admin.campaign_wizard.create": Flow(
        "admin", walk_campaign, tapping(zh("campaign.create")), Campaign
    ),
    "handlers.admin.publicity.confirm": Flow(
        "admin",
        walk_round,
        tapping_first,
        PublicityRound,  # 确认开启 / 确认发布
    ),
    "handlers.public.feedback_flow._submit": Flow(
        "citizen", walk_feedback, confirm_feedback, Feedback
    ),
    "handlers.staff.measures.enter_note": Flow(
        "staff", walk_report, saying("已全部限时办结"), MeasureReport
    ),
    "handlers.staff.regrading_measures._add": Flow(
        "staff", walk_regrade_measure, confirm_regrade_measure, ControlMeasure
    ),
}


def handlers_that_make_records() -> set[str]:
    """Every handler function (module.function) that calls a record-making service."""
    found: set[str] = set()
    for path in sorted(HANDLERS.rglob("*.py")):
        module = ".".join(path.relative_to(HANDLERS.parent).with_suffix("").parts)
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    called = node.func
                    name = called.attr if isinstance(called, ast.Attribute) else ""
                    name = name or (called.id if isinstance(called, ast.Name) else "")
                    if MAKES.match(name):
                        found.add(f"{module}.{function.name}")
    return found


def test_every_create_handler_is_walked() -> None:
    """A new wizard that makes a record is listed in CREATES (so it is walked and pressed
    twice above) or in OWN_KEYS with what makes it idempotent."""
    assert handlers_that_make_records() == set(CREATES) | set(OWN_KEYS)


@contextlib.asynccontextmanager
async def clears_lost(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """While inside, a conversation's clear is lost (the process died right before it)."""

    async def lost(_self: FSMContext) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(FSMContext, "clear", lost)
        yield


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> dict:
    """The 长安区 organisation; an approved risk to publicise, one due for re-grading."""
    people = await make_regrading_org(sessionmaker, clock)
    config = ReviewConfig.from_settings(settings.model_copy(update={"social_review_days": 0}))
    due = await due_risk(sessionmaker, clock, config, people)
    await approved_risks(sessionmaker, people.post_id, 1, level=3, prefix="公示")
    return {"people": people, "due": due}


async def test_a_create_confirmed_again_returns_the_first_record(
    dp: Dispatcher, sessionmaker: SessionMaker, org: dict, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    people: People = org["people"]
    citizen = people.admin + 500
    tally, crashes = Tally(), Tracebacks()
    logging.getLogger().addHandler(crashes)
    try:
        for name, flow in CREATES.items():
            bot = MockedBot()  # a chat of its own: the feedback flow edits its first message
            telegram_id = citizen if flow.who == "citizen" else getattr(people, flow.who)
            if flow.model is Feedback:
                async with unit_of_work(sessionmaker) as session:
                    org["item"] = await session.scalar(select(func.min(PublicityItem.id)))
            await flow.walk(dp, bot, telegram_id, org)
            before = await count_rows(sessionmaker, flow.model)
            async with clears_lost(monkeypatch):
                first = await flow.confirm(dp, bot, telegram_id, org)
            made = await count_rows(sessionmaker, flow.model)
            again = await flow.confirm(dp, bot, telegram_id, org)
            after = await count_rows(sessionmaker, flow.model)
            tally.tried += 2
            if crashes.take():
                tally.tracebacks += 1
                tally.problem(f"{name}: traceback")
            if made != before + 1:
                tally.lost += 1
                tally.problem(f"{name}: the first confirm made {made - before}: {first}")
            elif after != made:
                tally.unintended_writes += 1
                tally.problem(f"{name}: the second confirm made {after - made} more")
            elif not again.any or again.unexpected:
                tally.lost += 1
                tally.problem(f"{name}: the second confirm answered {again}")
            else:
                tally.refused += 1
    finally:
        logging.getLogger().removeHandler(crashes)
        tally.save(request.node.nodeid)
    print(f"creates: {tally}")
    assert tally.refused == len(CREATES), tally.problems
    tally.assert_clean()
