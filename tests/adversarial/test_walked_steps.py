"""The text steps of the wizards, each walked there through the dispatcher by one generic
walker, fed hostile input, then given valid input that must be kept exactly as typed.

A wizard is written once as a script (`Wizard`): what its person says and taps, with a `Slot`
for each text step holding what a person would type or tap there (a `label` tells apart one
state asking for different texts, as the feedback reply's hide reason); `do` actions make
the record a walk acts on. Walking to one step runs the script with that slot left to the
test. There, what no step accepts (empty, blank,
zero-width, over-long, emoji past the limit in UTF-16 units) gets a clear answer, no
traceback, the step kept, and changes nothing (every table hashed before and after); then
HTML (`<b>x</b> & <i>`) and emoji are taken (a date step: a date), the rest of the script
runs to the record, and what the record keeps is exactly what was typed, shown escaped
(every message sent parses as Telegram's HTML). `test_text_steps.py` lists these steps as
covered here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.campaign_rules import NAME_MAX as CAMPAIGN_NAME_MAX
from bot.domain.clock import FakeClock
from bot.domain.feedback import REASON_MAX, Kind
from bot.domain.feedback import TEXT_MAX as FEEDBACK_MAX
from bot.domain.register_rules import (
    COMMENT_MAX,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    LEGAL_BASIS_MAX,
    MEASURE_MAX,
    NAME_MAX,
    NOTE_MAX,
    RULE_KIND_MAX,
    RULE_TITLE_MAX,
    SUBJECT_MAX,
)  # fmt: skip
from bot.services import review as review_service
from bot.services import risks
from bot.services.feedback import submit
from bot.services.feedback.config import FeedbackConfig
from bot.services.people import NAME_MAX as PERSON_NAME_MAX
from bot.services.powers import PowerDraft, add_power, categories_for
from bot.services.review import ReviewConfig
from bot.services.review.model import COMMENT_MAX as REVIEW_COMMENT_MAX
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from handlers.callbacks import (
    FeedbackAction,
    FeedbackCb,
    InboxAction,
    InboxCb,
    PeerCb,
    PowerCb,
    RegisterReviewCb,
    RegradeCb,
    RiskCb,
)  # fmt: skip
from storage.db import SessionMaker
from storage.models.campaign import Campaign
from storage.models.feedback import Feedback
from storage.models.invitation import Invitation
from storage.models.org import Person
from storage.models.publicity import PublicityRound
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint, Rule
from storage.models.review import ReviewNote
from tests.adversarial.kit import (
    Action,
    act,
    say,
    since,
    tables_digest,
    watching,
)  # fmt: skip
from tests.adversarial.test_wizard_text_steps import kept, refused, zh
from tests.kit.feedback import make_citizen, open_round
from tests.kit.mocked_bot import MockedBot
from tests.kit.publicity import approved_risks
from tests.kit.register import People
from tests.kit.regrading import DEPT_REVIEWER, LOW, due_risk, make_regrading_org
from tests.kit.uow import unit_of_work


@dataclass(frozen=True)
class Slot:
    """A text step in a script: `usual` is what a person does there on the way to another
    step; walking to this one, `reach` is done instead and the test types."""

    state: str
    usual: Sequence[Action]
    column: Any  # where the record keeps the text (read from the newest row)
    limit: int
    reach: Sequence[Action] = ()
    date: str = ""  # a date step: the valid input (and what is kept), instead of HTML/emoji
    row: str = ""  # the record's id in World.values (else the newest row is read)
    label: str = ""  # which of a step's uses (one state asking for different texts)
    as_text: Callable[[Any], str] = str  # what is kept, as the person typed it


@dataclass(frozen=True)
class Wizard:
    who: str  # a People attribute, "dept" (周审核) or "citizen" (a fresh one each walk)
    script: Sequence[Action | Slot]


@dataclass
class World:
    people: People
    sessionmaker: SessionMaker
    clock: FakeClock
    settings: Settings
    values: dict[str, int] = field(default_factory=dict)  # ids the scripts press with
    citizens: int = 0


async def fresh_power(world: World) -> None:
    """A power of 王芳's post, submitted for review (each walk edits or returns its own)."""
    async with unit_of_work(world.sessionmaker) as session:
        staff = await session.get(Person, world.people.staff_id)
        assert staff is not None
        (category, *_) = await categories_for(session, world.people.department_id, "external")
        power = await add_power(
            session, world.clock, actor=staff, settings=world.settings,
            draft=PowerDraft(name="医疗机构执业登记", content="执业登记", subject="医政科",
                             legal_basis="《医疗机构管理条例》", category=category,
                             scope="external"),
        )  # fmt: skip
        world.values["power"] = power.id


async def fresh_feedback(world: World) -> None:
    """A citizen's objection to the public risk, waiting for 周审核's answer."""
    world.citizens += 1
    citizen = await make_citizen(
        world.sessionmaker, world.clock, 891000 + world.citizens, f"市民{world.citizens}"
    )
    draft = submit.Draft(item_id=world.values["item"], kind=Kind.OBJECTION,
                         text="窗口办理时间太长，群众要来回跑好几趟")  # fmt: skip
    async with unit_of_work(world.sessionmaker) as session:
        receipt = await submit.submit(
            session, world.clock, FeedbackConfig.from_settings(world.settings), citizen, draft
        )
    world.values["feedback"] = receipt.feedback_id


def declared_by(who: str) -> Callable[[World], Awaitable[None]]:
    """A fresh risk point declared by `who` (王芳: to 社会评议; 陈局长: to 集体议)."""

    async def declare(world: World) -> None:
        world.citizens += 1  # a counter: each record's own description
        async with unit_of_work(world.sessionmaker) as session:
            actor = await session.get(Person, getattr(world.people, f"{who}_id"))
            assert actor is not None
            risk = await risks.declare_risk(
                session, world.clock, actor=actor, settings=world.settings,
                draft=RiskDraft(description=f"审批中收受好处（{world.citizens}）",
                                risk_type="duty", factors=LOW, measures=[MeasureDraft(
                                    "审批结果公示", date(2028, 12, 31))]),
            )  # fmt: skip
            world.values["risk"] = risk.id

    return declare


async def in_social_review(world: World) -> None:
    """王芳's fresh record, open to her colleagues' 社会评议."""
    await declared_by("staff")(world)
    config = ReviewConfig.from_settings(world.settings)
    async with unit_of_work(world.sessionmaker) as session:
        await review_service.open_submitted(session, world.clock, config)


async def proposed(world: World) -> None:
    """A risk point 刘审核 proposes for 王芳's post (hers to accept or dispute)."""
    world.citizens += 1
    async with unit_of_work(world.sessionmaker) as session:
        actor = await session.get(Person, world.people.reviewer_id)
        assert actor is not None
        risk = await risks.propose_risk(
            session, world.clock, actor=actor, post_id=world.people.post_id,
            description=f"审批超时限（{world.citizens}）", risk_type="process",
            settings=world.settings,
        )  # fmt: skip
        world.values["risk"] = risk.id


async def accepted(world: World) -> None:
    """Such a proposal 王芳 accepted: her draft, its description hers to edit."""
    await proposed(world)
    async with unit_of_work(world.sessionmaker) as session:
        staff = await session.get(Person, world.people.staff_id)
        assert staff is not None
        await risks.answer_proposal(
            session, world.clock, actor=staff, risk_id=world.values["risk"], accept=True,
            settings=world.settings,
        )  # fmt: skip


def local_day(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _saying(text: str) -> list[Action]:
    return [("say", text)]


POWER = Wizard("staff", [
    ("say", "/powers"), ("tap", zh("powers.add")),
    Slot("PowerFlow:name", _saying("医疗机构设置审批"), Power.name, NAME_MAX),
    Slot("PowerFlow:content", _saying("审批设置申请"), Power.content, CONTENT_MAX),
    Slot("PowerFlow:subject", [("first", "")], Power.subject, SUBJECT_MAX),  # "this post"
    Slot("PowerFlow:legal_basis", _saying("《医疗机构管理条例》"), Power.legal_basis,
         LEGAL_BASIS_MAX),
    ("tap", zh("register.scope.external")), ("first", ""), ("tap", zh("powers.save")),
])  # fmt: skip

RULE = Wizard("reviewer", [
    ("say", "/rules"), ("tap", zh("rules.add")), ("tap", "长安区/卫生局/医政科"),
    Slot("AddRule:title", _saying("医政审批集体研究制度"), Rule.title, RULE_TITLE_MAX),
    Slot("AddRule:kind", [("tap", zh("rules.skip"))], Rule.kind, RULE_KIND_MAX),
    Slot("AddRule:issued", _saying("2027-03-01"), Rule.issued_on, 20, date="2026-03-01"),
    ("tap", zh("rules.matter.decision")),
])  # fmt: skip

INVITE = Wizard("admin", [
    ("say", "/invite"), ("tap", "长安区/卫生局/医政科"), ("tap", "医政审批岗"),
    ("tap", zh("invite.roles_done")),
    Slot("InviteFlow:name", _saying("吴新"), Invitation.name, PERSON_NAME_MAX),
    ("tap", zh("invite.create")),
])  # fmt: skip

CAMPAIGN = Wizard("admin", [
    ("say", "/campaign"), ("tap", zh("campaign.new")),
    Slot("CampaignFlow:name", _saying("风险排查"), Campaign.name, CAMPAIGN_NAME_MAX),
    ("tap", "▫️ 长安区/卫生局"), ("tap", zh("campaign.units_done")),
    ("tap", zh("campaign.req.risks")),
    Slot("CampaignFlow:deadline", [("first", "")], Campaign.deadline, 20, date="2028-06-30"),
    ("tap", zh("campaign.create")),
])  # fmt: skip

FEEDBACK = Wizard("citizen", [
    ("press", lambda w: FeedbackCb(action=FeedbackAction.START, item_id=w.values["item"])),
    ("press", lambda w: FeedbackCb(action=FeedbackAction.KIND, item_id=w.values["item"])),
    Slot("FeedbackFlow:text", _saying("窗口办理时间太长，群众要来回跑好几趟"), Feedback.text,
         FEEDBACK_MAX),
    ("press", lambda _w: FeedbackCb(action=FeedbackAction.FILES_DONE)),
    ("press", lambda _w: FeedbackCb(action=FeedbackAction.CONFIRM)),
])  # fmt: skip

REPORT = Wizard("staff", [
    ("say", "/measures"), ("first", ""), ("first", ""),  # the measure, reported in progress
    Slot("MeasureReportFlow:note", _saying("已全部限时办结"), MeasureReport.note, NOTE_MAX),
])  # fmt: skip

REGRADE_MEASURE = Wizard("staff", [
    ("press", lambda w: RegradeCb(a="open", r=w.values["due"])),
    ("press", lambda w: RegradeCb(a="add", r=w.values["due"])),
    Slot("Regrade:add_action", _saying("每月抽查十件"), ControlMeasure.action, MEASURE_MAX),
    ("press", lambda _w: RiskCb(action="who")),
    Slot("Regrade:add_deadline", [("press", lambda _w: RiskCb(action="quick", value=1))],
         ControlMeasure.deadline, 20, date="2028-06-30"),
])  # fmt: skip


def on_record(who: str, make: Any, button: Any, slot: Slot) -> Wizard:
    """A one-question wizard: a record is made (`make`), `who` presses its `button`."""
    return Wizard(who, [("do", make), ("press", button), slot])


EDIT_POWER = on_record(
    "staff", fresh_power, lambda w: PowerCb(action="edit", id=w.values["power"], value=0),
    Slot("PowerEdit:value", _saying("医疗机构执业变更登记"), Power.name, NAME_MAX, row="power"),
)  # fmt: skip

RETURN_POWER = on_record(
    "reviewer", fresh_power, lambda w: RegisterReviewCb(action="return", id=w.values["power"]),
    Slot("ReturnPower:comment", _saying("请补充法律依据的具体条款"), Power.review_comment,
         COMMENT_MAX, row="power"),
)  # fmt: skip

REVISE_MEASURE = Wizard("staff", [
    ("press", lambda w: RegradeCb(a="open", r=w.values["due"])),
    ("press", lambda w: RegradeCb(a="mt", r=w.values["due"], m=w.values["measure"])),
    Slot("Regrade:measure_text", _saying("双人受理、交叉复核"), ControlMeasure.action,
         MEASURE_MAX, row="measure"),
    ("press", lambda w: RegradeCb(a="md", r=w.values["due"], m=w.values["measure"])),
    Slot("Regrade:measure_deadline", _saying("2028-03-31"), ControlMeasure.deadline, 20,
         date="2028-06-30", row="measure"),
])  # fmt: skip

ROUND = Wizard("admin", [
    ("say", "/publicity"), ("tap", zh("publicity.admin.new")),
    ("tap", zh("publicity.scope_all")), ("tap", zh("publicity.active_no")),
    Slot("RoundFlow:date", [("tap", zh("publicity.start_now"))], PublicityRound.starts_at, 20,
         reach=[("tap", zh("publicity.start_date"))], date="2028-01-10", as_text=local_day),
    ("first", ""),  # 确认开启 / 确认发布
])  # fmt: skip

HIDE_FEEDBACK = Wizard("dept", [
    ("do", fresh_feedback),
    ("press", lambda w: InboxCb(action=InboxAction.OPEN, feedback_id=w.values["feedback"])),
    ("tap", zh("feedback.btn.hide")),
    Slot("ReplyFlow:text", _saying("内容与公示事项无关"), Feedback.hidden_reason, REASON_MAX,
         row="feedback", label="hide"),
])  # fmt: skip

EDIT_RISK = on_record(
    "staff", accepted, lambda w: RiskCb(action="edit", id=w.values["risk"]),
    Slot("RiskStep:description", _saying("审批中违规收受好处"), RiskPoint.description,
         DESCRIPTION_MAX, row="risk"),
)  # fmt: skip

DISPUTE = on_record(
    "staff", proposed, lambda w: RiskCb(action="dispute", id=w.values["risk"]),
    Slot("RiskStep:dispute_reason", _saying("本岗位不办理该事项"), RiskPoint.dispute_reason,
         COMMENT_MAX, row="risk"),
)  # fmt: skip

DISCUSS = Wizard("leader", [
    ("do", declared_by("leader")),
    ("press", lambda w: RiskCb(action="discuss", id=w.values["risk"])),
    Slot("RiskStep:discussion_date", _saying("2026-11-20"), RiskPoint.discussion_date, 20,
         date="2026-11-02", row="risk"),
    Slot("RiskStep:discussion_summary", _saying("班子集体研究通过"),
         RiskPoint.discussion_summary, DESCRIPTION_MAX, row="risk"),
])  # fmt: skip

PEER = Wizard("colleague", [
    ("do", in_social_review),
    ("press", lambda w: PeerCb(a="comment", r=w.values["risk"])),
    Slot("PeerFlow:comment", _saying("措施可再细化"), ReviewNote.text, REVIEW_COMMENT_MAX),
])  # fmt: skip

WIZARDS = [POWER, RULE, INVITE, CAMPAIGN, FEEDBACK, HIDE_FEEDBACK, REPORT, REGRADE_MEASURE,
           EDIT_POWER, RETURN_POWER, REVISE_MEASURE, ROUND, EDIT_RISK, DISPUTE, DISCUSS,
           PEER]  # fmt: skip
SLOTS: dict[str, tuple[Wizard, Slot]] = {
    f"{part.state} ({part.label})" if part.label else part.state: (wizard, part)
    for wizard in WIZARDS
    for part in wizard.script
    if isinstance(part, Slot)
}


def split(wizard: Wizard, slot: Slot) -> tuple[list[Action], list[Action]]:
    """The script up to the step (its `reach` included) and after it, other slots as usual."""
    before: list[Action] = []
    after: list[Action] = []
    into = before
    for part in wizard.script:
        if part is slot:
            before += part.reach
            into = after
        elif isinstance(part, Slot):
            into += part.usual
        else:
            into.append(part)
    return before, after


@pytest.fixture
async def world(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> World:
    """The 长安区 organisation: a risk due for re-grading, one open to citizens' feedback."""
    people = await make_regrading_org(sessionmaker, clock)
    config = ReviewConfig.from_settings(settings.model_copy(update={"social_review_days": 0}))
    due = await due_risk(sessionmaker, clock, config, people)
    (public,) = await approved_risks(sessionmaker, people.post_id, 1, level=3, prefix="公示")
    items = await open_round(sessionmaker, clock, [public])
    async with unit_of_work(sessionmaker) as session:
        measure = await session.scalar(
            select(ControlMeasure.id).where(ControlMeasure.risk_id == due)
        )
    values = {"due": due, "item": items[public][0], "measure": int(measure or 0)}
    return World(people, sessionmaker, clock, settings, values)


async def person(world: World, sessionmaker: SessionMaker, clock: FakeClock, who: str) -> int:
    if who == "dept":
        return DEPT_REVIEWER
    if who == "citizen":
        world.citizens += 1
        telegram_id = 890000 + world.citizens
        await make_citizen(sessionmaker, clock, telegram_id, f"市民{world.citizens}")
        return telegram_id
    return int(getattr(world.people, who))


async def kept_of(world: World, slot: Slot) -> str | None:
    """What the record keeps of the typed text: its row's, or the newest row's."""
    record = slot.column.class_
    query = select(slot.column).order_by(record.id.desc()).limit(1)
    if slot.row:
        query = query.where(record.id == world.values[slot.row])
    async with world.sessionmaker() as session:
        value = await session.scalar(query)
    return None if value is None else slot.as_text(value)


@pytest.mark.parametrize("name", sorted(SLOTS))
async def test_a_walked_step_refuses_bad_input_unchanged_and_keeps_valid_input_as_typed(
    dp: Dispatcher, fsm_storage: BaseStorage, engine: AsyncEngine, sessionmaker: SessionMaker,
    clock: FakeClock, world: World, request: pytest.FixtureRequest, name: str,
) -> None:  # fmt: skip
    wizard, slot = SLOTS[name]
    state = slot.state
    before, after = split(wizard, slot)
    typed_inputs = [slot.date] if slot.date else kept(slot.limit)
    with watching(engine, request, f"walked step {name}") as (tally, crashes, watch):
        for turn, typed in enumerate(typed_inputs):
            bot = MockedBot()
            who = await person(world, sessionmaker, clock, wizard.who)
            key = StorageKey(bot_id=bot.id, chat_id=who, user_id=who)
            await act(dp, bot, who, before, world)
            assert await fsm_storage.get_state(key) == state, (state, bot.sent(who)[-1:])
            crashes.take(), watch.take()
            for bad in refused(slot.limit) if turn == 0 else []:
                unchanged = await tables_digest(engine)
                reply = await say(dp, bot, who, bad)
                tally.judge(
                    f"{name} {bad[:8]!r}", crashed=bool(crashes.take()),
                    wrote=bool(watch.take()) or await tables_digest(engine) != unchanged,
                    answered=bool(reply.texts) and not reply.unexpected
                    and await fsm_storage.get_state(key) == state,
                )  # fmt: skip
            start = len(bot.recording.requests)
            await say(dp, bot, who, typed)
            await act(dp, bot, who, after, world)
            tally.kept(
                f"{name} {typed[:8]!r}", typed, await kept_of(world, slot),
                since(bot, start, who).texts, crashed=bool(crashes.take()),
            )  # fmt: skip
            watch.take()
    tally.assert_clean()
