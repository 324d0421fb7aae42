"""Citizens' feedback end to end through the sandbox: 张大爷 opens a channel deep link, files
an anonymous objection with a photo and gets a receipt code; the department's reviewer
answers from /feedback; 张大爷 reads it with /track and rates it. Alex does the same in
English on a bureau-tier risk and is not satisfied, so it climbs once. A misconduct report
reaches the commission only; an unanswered item climbs the 预警 ladder once per step and the
commission records a disposition; the anonymity scan finds the sender nowhere an official
looks; forged links and buttons, a sticker, another tier's answer change nothing."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.domain.publicity import RoundState
from bot.i18n import translate
from bot.scheduling.runner import JobRunner
from bot.services.publicity import rounds
from bot.services.publicity.config import PublicityConfig
from bot.services.register_files import export_register
from bot.settings import Settings
from handlers.callbacks import FeedbackAction, FeedbackCb, InboxAction, InboxCb
from storage.db import SessionMaker
from storage.models.audit import AuditLog
from storage.models.feedback import Feedback
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.publicity import PublicityItem
from tests.e2e.conftest import RunningBot, Sandbox
from tests.kit.feedback import open_round
from tests.kit.grading_ui import tap
from tests.kit.persona import Persona, SandboxClient
from tests.kit.publicity import approved_risks, post_named
from tests.kit.rows import count_rows

ADMIN, BUREAU, DEPT, STAFF, OTHER = 100001, 100003, 100004, 100005, 100008
CITIZEN, ALEX = 100101, 100102
CODE = re.compile(r"QF-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
OBJECTION = "这个岗位的审批权很大，定为三级风险偏低，建议重新评估"


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


def en(key: str, **values: object) -> str:
    return translate(key, "en", **values)


async def _open_round(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, level: int = 3
) -> dict[str, str]:
    """Approved risks of 医政审批岗 (level 3, the department answers) and 报销审核岗 (level 2, the
    bureau), in a round the commission opens now: post name → the item's public code."""
    low = await approved_risks(
        sessionmaker, await post_named(sessionmaker, "医政审批岗"), 1, level=3
    )
    mid = await approved_risks(
        sessionmaker, await post_named(sessionmaker, "报销审核岗"), 1, level=2, prefix="报销"
    )
    async with sessionmaker() as session:
        admin = await session.scalar(select(Person).where(Person.telegram_id == ADMIN))
        await rounds.create_round(
            session, clock, PublicityConfig.from_settings(settings), actor=admin,
            draft=rounds.Draft(all_units=True, unit_ids=(), include_active=False, starts_at=None),
        )  # fmt: skip
        await session.commit()
        codes = {}
        for post, risk_id in (("医政审批岗", low[0]), ("报销审核岗", mid[0])):
            item = await session.scalar(
                select(PublicityItem).where(PublicityItem.risk_id == risk_id)
            )
            assert item is not None
            codes[post] = item.code
        return codes


async def _give(
    citizen: Persona,
    code: str,
    kind_key: str,
    text: str,
    *,
    t: object = zh,
    photo: bool = False,
    sign: bool = False,
    phone: bool = False,
) -> str:
    """Through the UI: deep link → card → kind → text → evidence → preview → confirm."""
    tr = t  # type: ignore[assignment]
    await citizen.send(f"/start fb_{code}")
    await tap(citizen, tr("publicity.card.feedback"))  # type: ignore[operator]
    await citizen.expect(tr("feedback.flow.ask_kind"))  # type: ignore[operator]
    await tap(citizen, tr(kind_key))  # type: ignore[operator]
    await citizen.expect(re.compile("2000"))
    await citizen.send(text)
    await citizen.expect(re.compile(r"\(|（"))  # the evidence step
    if photo:
        await citizen.send_photo(caption=None)
        await citizen.expect(re.compile(r"[1１] ?个|1 attached"))
        await tap(citizen, tr("feedback.btn.files_done"))  # type: ignore[operator]
    else:
        await tap(citizen, tr("feedback.btn.files_skip"))  # type: ignore[operator]
    await citizen.expect(tr("feedback.flow.identity_anonymous"))  # type: ignore[operator]
    if sign:
        await tap(citizen, tr("feedback.btn.sign"))  # type: ignore[operator]
        await citizen.expect(re.compile("👤"))
    if phone:
        await tap(citizen, tr("feedback.btn.phone"))  # type: ignore[operator]
        await citizen.expect(tr("feedback.flow.ask_phone"))  # type: ignore[operator]
        assert citizen.reply_keyboard is not None
        assert citizen.reply_keyboard["keyboard"][0][0].get("request_contact") is True
        await citizen.send_contact()
        await citizen.expect(tr("feedback.flow.phone_added"))  # type: ignore[operator]
        await citizen.expect(re.compile(r"\+86"))
    await tap(citizen, tr("feedback.btn.confirm"))  # type: ignore[operator]
    done = await citizen.expect(CODE)
    found = CODE.search(done.text)
    assert found is not None
    return found.group(0)


async def _answer(reviewer: Persona, code: str, answer: str, t: object = zh) -> None:
    tr = t  # type: ignore[assignment]
    await reviewer.send("/feedback")
    await reviewer.expect(code)
    await tap(reviewer, tr("feedback.btn.answer"))  # type: ignore[operator]
    await reviewer.expect(tr("feedback.inbox.ask_answer"))  # type: ignore[operator]
    await reviewer.send(answer)
    await reviewer.expect(tr("feedback.inbox.done_answered"))  # type: ignore[operator]


@pytest.fixture
async def codes(
    bot_running: RunningBot, sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> dict[str, str]:
    """The round `_open_round` opens, once the bot runs."""
    return await _open_round(sessionmaker, clock, settings)


async def _feedback_id(sessionmaker: SessionMaker, code: str) -> int:
    async with sessionmaker() as session:
        feedback_id = await session.scalar(select(Feedback.id).where(Feedback.code == code))
        assert feedback_id is not None
        return feedback_id


async def _forged_answer_refused(official: Persona, sessionmaker: SessionMaker, code: str) -> int:
    """`official`, with nothing in their inbox, presses a forged "answer" on the item `code`:
    told it is not theirs. Returns the item's id."""
    feedback_id = await _feedback_id(sessionmaker, code)
    await official.send("/feedback")
    await official.expect(zh("feedback.inbox.empty"))
    forged = InboxCb(action=InboxAction.ANSWER, feedback_id=feedback_id, version=0).pack()
    await official.press_data((await official.last_bot_message()).message_id, forged)
    await official.expect_notice(zh("feedback.not_yours"))
    return feedback_id


async def test_an_anonymous_objection_with_a_photo_is_answered_tracked_and_rated(
    kit: SandboxClient, codes: dict[str, str], sessionmaker: SessionMaker
) -> None:
    citizen, dept, other = await kit.personas_for(CITIZEN, DEPT, OTHER)

    # A sticker where text is asked, then too short a text: told why, nothing stored.
    await citizen.send(f"/start fb_{codes['医政审批岗']}")
    await tap(citizen, zh("publicity.card.feedback"))
    await tap(citizen, zh("feedback.kind.objection"))
    await citizen.expect(re.compile("2000"))
    await citizen.send_sticker()
    await citizen.expect(zh("feedback.flow.text_only"))
    await citizen.send("太低了")
    await citizen.expect(zh("feedback.text_too_short", min=10, n=3))
    await citizen.send("详情见 https://example.com/evidence 上的材料")
    await citizen.expect(zh("feedback.no_links"))
    await tap(citizen, zh("feedback.btn.cancel"))
    await citizen.expect(zh("feedback.flow.cancelled"))

    receipt = await _give(
        citizen, codes["医政审批岗"], "feedback.kind.objection", OBJECTION, photo=True
    )
    notice = await dept.expect(receipt, timeout=20)
    assert "张大爷" not in notice.text and zh("feedback.kind.objection") in notice.text

    # Another branch's reviewer presses a forged "answer": told, nothing written.
    before = await count_rows(sessionmaker, AuditLog)
    feedback_id = await _forged_answer_refused(other, sessionmaker, receipt)
    assert await count_rows(sessionmaker, AuditLog) == before

    # The department answers; the card showed the photo button and no name.
    await dept.send("/feedback")
    card = await dept.expect(receipt)
    assert zh("feedback.inbox.anonymous") in card.text and "张大爷" not in card.text
    assert zh("feedback.btn.file", n=1) in card.buttons
    await _answer(dept, receipt, "已请科室复核该岗位的定级，并在窗口公示办理时限")

    told = await citizen.expect(receipt, timeout=20)
    assert "已请科室复核" in told.text
    await citizen.send(f"/track {receipt.lower()}")
    tracked = await citizen.expect(zh("feedback.track.ask_rating"))
    assert zh("feedback.state.answered") in tracked.text
    await tap(citizen, zh("feedback.rating.satisfied"))
    await citizen.expect(zh("feedback.track.thanks"))
    # A stale rating button (the card before the rating) changes nothing.
    await citizen.press_data(
        tracked.message_id, tracked.callback_data_for(zh("feedback.rating.fairly"))
    )
    await citizen.expect_notice()
    async with sessionmaker() as session:
        item = await session.get(Feedback, feedback_id)
        assert item is not None and item.rating == "satisfied"
    # The public card now says it was answered; /mine lists it.
    await citizen.send(f"/start fb_{codes['医政审批岗']}")
    public = await citizen.expect("风险表现")
    assert zh("feedback.public.counts", received=1, answered=1) in public.text
    await citizen.send("/mine")
    mine = await citizen.expect(zh("feedback.mine.title", n=1))
    assert receipt in mine.text and zh("feedback.state.answered") in mine.text


async def test_alex_in_english_is_answered_by_the_bureau_and_appeals_once(
    kit: SandboxClient, codes: dict[str, str], sessionmaker: SessionMaker
) -> None:
    alex, bureau, dept, admin = await kit.personas_for(ALEX, BUREAU, DEPT, ADMIN)
    text = "Reimbursement claims take far too long and nobody explains why"
    receipt = await _give(
        alex, codes["报销审核岗"], "feedback.kind.comment", text, t=en, sign=True, phone=True
    )
    await bureau.expect(receipt, timeout=20)

    # The department is a lower tier: its forged answer is refused.
    await _forged_answer_refused(dept, sessionmaker, receipt)

    await bureau.send("/feedback")
    card = await bureau.expect(receipt)
    assert "Alex" in card.text and "+86138" in card.text, alex.transcript(30)
    await _answer(bureau, receipt, "我们将把报销时限压缩到10个工作日")
    told = await alex.expect(receipt, timeout=20)
    assert "has been answered" in told.text
    await alex.send(f"/track {receipt}")
    await alex.expect(en("feedback.track.ask_rating"))
    await tap(alex, en("feedback.rating.unsatisfied"))
    await alex.expect(en("feedback.track.appealed"))
    await admin.expect(receipt, timeout=20)  # the tier above the bureau: the commission
    await _answer(admin, receipt, "纪委已督促卫生局限期整改")
    await alex.expect("纪委已督促", timeout=20)
    await alex.send(f"/track {receipt}")
    await tap(alex, en("feedback.rating.unsatisfied"))
    await alex.expect(en("feedback.track.thanks"))  # a second 不满意 is only recorded
    await admin.expect_nothing(seconds=1)


async def test_a_misconduct_report_reaches_the_commission_only(
    kit: SandboxClient, codes: dict[str, str]
) -> None:
    citizen = await kit.persona_for(CITIZEN)
    officials = [await kit.persona_for(i) for i in (DEPT, BUREAU, STAFF)]
    admin = await kit.persona_for(ADMIN)
    receipt = await _give(
        citizen, codes["医政审批岗"], "feedback.kind.misconduct", "窗口有人收好处费后才给加急办理"
    )
    notice = await admin.expect(receipt, timeout=20)
    assert zh("feedback.kind.misconduct") in notice.text
    for person in officials:
        await person.expect_nothing(seconds=0.5)
    for reviewer in officials[:2]:  # nor in their inboxes
        await reviewer.send("/feedback")
        await reviewer.expect(zh("feedback.inbox.empty"))
    # Never on the public card.
    await citizen.send(f"/start fb_{codes['医政审批岗']}")
    public = await citizen.expect("风险表现")
    assert "群众意见反馈" not in public.text
    assert "好处费" not in public.text


async def test_the_ladder_climbs_once_per_step_and_the_commission_disposes(
    kit: SandboxClient,
    codes: dict[str, str],
    runner: JobRunner,
    sessionmaker: SessionMaker,
    clock: FakeClock,
) -> None:
    citizen = await kit.persona_for(CITIZEN)
    dept, bureau, admin = [await kit.persona_for(i) for i in (DEPT, BUREAU, ADMIN)]
    receipt = await _give(citizen, codes["医政审批岗"], "feedback.kind.comment", OBJECTION)
    await dept.expect(receipt, timeout=20)

    clock.advance(timedelta(days=4, hours=1))
    await runner.tick()
    await dept.expect("⏰", timeout=20)
    await runner.tick()
    clock.advance(timedelta(hours=2))
    await runner.tick()
    await dept.expect_nothing(seconds=1)

    clock.advance(timedelta(days=1))  # past the deadline: the bureau above is told
    await runner.tick()
    await bureau.expect(receipt, timeout=20)
    clock.advance(timedelta(hours=1, minutes=1))
    await runner.tick()
    await bureau.expect_nothing(seconds=1)

    clock.advance(timedelta(days=5))  # past twice the deadline: the commission
    await runner.tick()
    alert = await admin.expect(receipt, timeout=20)
    assert "/feedback" in alert.text
    clock.advance(timedelta(hours=1, minutes=1))
    await runner.tick()
    await admin.expect_nothing(seconds=1)

    await admin.send("/feedback")
    await admin.expect(receipt)
    await tap(admin, zh("feedback.btn.dispose"))
    await tap(admin, zh("feedback.disposition.rectify"))
    await admin.expect(zh("feedback.inbox.ask_follow_up"))
    await admin.send("明天")
    await admin.expect(zh("feedback.bad_date"))
    follow = (clock.now() + timedelta(days=30)).date().isoformat()
    await admin.send(follow)
    await admin.expect(zh("feedback.inbox.done_disposed"))
    async with sessionmaker() as session:
        risk_id = await session.scalar(select(Feedback.risk_id).where(Feedback.code == receipt))
    await admin.send(f"/history {risk_id}")  # handled after the disposition's commit
    await admin.expect(zh("history.action.feedback_disposition"))
    async with sessionmaker() as session:
        item = await session.scalar(select(Feedback).where(Feedback.code == receipt))
        assert item is not None and item.disposition == "rectify"
        assert item.follow_up_on is not None and item.follow_up_on.isoformat() == follow


async def test_forged_links_stale_buttons_and_risks_not_in_publicity_write_nothing(
    kit: SandboxClient,
    bot_running: RunningBot,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
) -> None:
    await _open_round(sessionmaker, clock, settings)
    outside = await approved_risks(sessionmaker, await post_named(sessionmaker, "招生管理岗"), 1)
    closed = await open_round(sessionmaker, clock, outside, state=RoundState.CLOSED)
    citizen = await kit.persona_for(CITIZEN)
    before = await count_rows(sessionmaker, AuditLog)
    await citizen.send("/start fb_NOSUCHCODE123")
    await citizen.expect(zh("publicity.not_found"))
    message = await citizen.last_bot_message()
    # Feedback on a risk whose round is over, on an item that does not exist, a button of no
    # flow, a wrong code: each told, nothing written.
    for item_id in (closed[outside[0]][0], 99999):
        forged = FeedbackCb(action=FeedbackAction.START, item_id=item_id).pack()
        await citizen.press_data(message.message_id, forged)
        await citizen.expect_notice(zh("feedback.not_in_publicity"))
    await citizen.press_data(message.message_id, FeedbackCb(action=FeedbackAction.CONFIRM).pack())
    await citizen.expect_notice(zh("feedback.flow.stale"))
    await citizen.send("/track QF-2222-2222")
    await citizen.expect(zh("feedback.track.not_found"))
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Feedback)) == 0
    assert await count_rows(sessionmaker, AuditLog) == before


async def test_anonymity_scan_finds_the_sender_nowhere_an_official_looks(
    kit: SandboxClient,
    sandbox: Sandbox,
    bot_running: RunningBot,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.INFO)
    codes = await _open_round(sessionmaker, clock, settings)
    secret_id, secret_name, secret_user = 987654321, "匿名测试者", "anon_tester_1958"
    citizen = await kit.persona(secret_name, username=secret_user, user_id=secret_id)
    dept, admin = await kit.personas_for(DEPT, ADMIN)
    receipt = await _give(
        citizen, codes["医政审批岗"], "feedback.kind.objection", OBJECTION, photo=True
    )
    await dept.expect(receipt, timeout=20)
    await _answer(dept, receipt, "已复核，维持三级并加强公示")
    await citizen.expect(receipt, timeout=20)
    feedback_id = await _feedback_id(sessionmaker, receipt)
    async with sessionmaker() as session:
        person_id = await session.scalar(select(Person.id).where(Person.telegram_id == secret_id))
    await dept.send("/export")
    exported = await dept.expect(re.compile(""))
    async with sessionmaker() as session:
        item = await session.get(Feedback, feedback_id)
        assert item is not None
        risk_id = item.risk_id
    await admin.send(f"/history {risk_id}")
    await admin.expect(re.compile(""))

    needles = (str(secret_id), secret_name, secret_user)
    haystacks: dict[str, str] = {}
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.person_id.is_distinct_from(person_id))
        )
        haystacks["outbox"] = json.dumps(
            [(r.chat_id, r.payload, r.dedup_key, r.kind) for r in rows], ensure_ascii=False
        )
        trail = await session.scalars(select(AuditLog))
        haystacks["audit"] = json.dumps(
            [(r.actor_id, r.action, r.entity_type, r.entity_id, r.before, r.after) for r in trail],
            ensure_ascii=False,
            default=str,
        )
        assert all(r.actor_id != person_id for r in await session.scalars(select(AuditLog)))
        item = await session.get(Feedback, feedback_id)
        assert item is not None
        haystacks["feedback row"] = json.dumps(
            {c.key: getattr(item, c.key) for c in Feedback.__table__.columns},
            ensure_ascii=False,
            default=str,
        )
    world = sandbox.world
    haystacks["officials' chats"] = json.dumps(
        [
            world.message_view(message)
            for chat_id, chat in world.chats.items()
            if chat_id != secret_id
            for message in chat.messages.values()
        ],
        ensure_ascii=False,
    )
    document = exported.raw.get("document") or {}
    stored = world.files.get(document.get("file_id", ""))
    assert stored is not None, "the /export file reached the reviewer"
    haystacks["/export"] = _cells(stored.data)
    cli_file = tmp_path / "register.xlsx"
    async with sessionmaker() as session:
        await export_register(session, cli_file)
    haystacks["CLI export"] = _cells(cli_file.read_bytes())
    haystacks["log"] = caplog.text
    # The log was captured, and the flow's updates are in it without the person.
    assert "handler=handlers.public.feedback_flow." in caplog.text and "person=-" in caplog.text
    hits = {place: n for place, text in haystacks.items() for n in needles if n in text}
    assert hits == {}, hits


def _cells(data: bytes) -> str:
    book = load_workbook(BytesIO(data), read_only=True)
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    )  # fmt: skip
