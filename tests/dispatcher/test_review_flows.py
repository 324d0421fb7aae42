"""The five-step review through the real dispatcher: /review inbox, cards edited in place,
social review closing on schedule (the clock advanced, the job run), graded review, approval,
a return-with-comment loop, a level override with its reason, a reviewer of another unit and
a stale card refused without change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from aiogram import Dispatcher
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.scheduling import review_scans
from bot.scheduling.runner import run_job
from bot.services import review as review_service
from bot.services import risks
from bot.services.risks import MeasureDraft, RiskDraft
from bot.settings import Settings
from handlers.callbacks import ReviewCb, RiskCb
from handlers.ui.labels import LIST_LABEL_MAX
from storage.db import SessionMaker
from storage.models.org import Person
from storage.models.outbox import OutboxMessage
from storage.models.register import RiskPoint
from storage.models.review import ReviewNote, RiskReview
from tests.dispatcher.helpers import Flow, buttons, last_alert, press, say, zh
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import People
from tests.kit.regrading import (
    DEPT_REVIEWER,
    regrading_org,  # noqa: F401  (a fixture)
)
from tests.kit.uow import unit_of_work

LOW = dict.fromkeys(("importance", "discretion", "public", "likelihood", "harm"), 1)
MID = dict.fromkeys(LOW, 3)
HIGH = dict.fromkeys(LOW, 5)


def shown(bot: MockedBot, chat_id: int) -> SendMessage | EditMessageText:
    """The last message sent or edited for this chat (the card edits in place)."""
    return bot.last_sent(chat_id, SendMessage | EditMessageText)


async def declare(
    sessionmaker: SessionMaker,
    clock: FakeClock,
    org: People,
    factors: dict[str, int],
    settings: Settings,
    *,
    actor_id: int | None = None,
    description: str = "审批中收受好处",
    risk_type: str = "duty",
    measure: str = "审批结果公示",
) -> int:
    """A risk point declared through the service, by the staff member unless told who."""
    async with unit_of_work(sessionmaker) as session:
        actor = await session.get(Person, org.staff_id if actor_id is None else actor_id)
        assert actor is not None
        risk = await risks.declare_risk(
            session, clock, actor=actor,
            draft=RiskDraft(
                description=description, risk_type=risk_type, factors=factors,
                measures=[MeasureDraft(measure, date(2027, 12, 31))],
            ), settings=settings)  # fmt: skip
        return risk.id


async def state_of(sessionmaker: SessionMaker, risk_id: int) -> tuple[str, RiskReview | None]:
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None
        return risk.status, await session.get(RiskReview, risk_id)


async def run_social_scan(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    await run_job(review_scans.close_social_reviews, sessionmaker, clock, settings)


async def graded_card(flow: Flow) -> tuple[int, dict[str, str]]:
    """A level-3 risk declared, its social review closed five days on, and its card opened by
    the department's reviewer (the risk's id and the card's buttons)."""
    risk_id = await declare(flow.sessionmaker, flow.clock, flow.org, LOW, flow.settings)
    flow.clock.advance(timedelta(days=5, minutes=1))
    await run_social_scan(flow.sessionmaker, flow.clock, flow.settings)
    return risk_id, await open_card(flow.dp, flow.bot, DEPT_REVIEWER, "graded")


async def open_card(dp: Dispatcher, bot: MockedBot, telegram_id: int, kind: str) -> dict[str, str]:
    await say(dp, bot, telegram_id, "/review")
    inbox = shown(bot, telegram_id)
    assert zh("review.inbox_title") in inbox.text
    await press(dp, bot, telegram_id, ReviewCb(a="k", k=kind).pack())
    return buttons(shown(bot, telegram_id).reply_markup)


async def test_level_three_through_every_step_to_approved(flow: Flow) -> None:
    dp, bot, org, sessionmaker, clock, settings = flow
    risk_id = await declare(sessionmaker, clock, org, LOW, settings)
    status, review = await state_of(sessionmaker, risk_id)
    assert status == "social_review" and review is not None and review.suggested_level == 3
    # The window does not close early on its own: four days on, the scan leaves it open.
    clock.advance(timedelta(days=4))
    await run_social_scan(sessionmaker, clock, settings)
    assert (await state_of(sessionmaker, risk_id))[0] == "social_review"
    clock.advance(timedelta(days=1, minutes=1))
    await run_social_scan(sessionmaker, clock, settings)
    assert (await state_of(sessionmaker, risk_id))[0] == "graded_review"
    await run_social_scan(sessionmaker, clock, settings)  # idempotent
    assert (await state_of(sessionmaker, risk_id))[0] == "graded_review"

    # Graded review (level 3 → the department's reviewer): the card, then approve.
    actions = await open_card(dp, bot, DEPT_REVIEWER, "graded")
    card = shown(bot, DEPT_REVIEWER)
    assert "审批中收受好处" in card.text and "审批结果公示" in card.text  # with its measure
    await press(dp, bot, DEPT_REVIEWER, actions[zh("review.btn.approve")])
    assert (await state_of(sessionmaker, risk_id))[0] == "org_approval"
    assert zh("review.done.approved") in shown(bot, DEPT_REVIEWER).text

    # Organisational approval (level 3 → the bureau's approver).
    actions = await open_card(dp, bot, org.reviewer, "approval")
    await press(dp, bot, org.reviewer, actions[zh("review.btn.approve")])
    status, review = await state_of(sessionmaker, risk_id)
    assert status == "approved" and review is not None and review.final_level == 3
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None and risk.level == 3
        # The publicity round (a later issue) announces it: active, re-graded in a year.
        config = review_service.ReviewConfig.from_settings(settings)
        assert await review_service.mark_publicised(session, clock, config, risk_ids=[risk_id])
    status, review_row = await state_of(sessionmaker, risk_id)
    assert status == "publicised" and review_row is not None
    async with unit_of_work(sessionmaker) as session:
        risk = await session.get(RiskPoint, risk_id)
        assert risk is not None and risk.regrade_due_at == review_row.regrading_due_at
    await run_job(review_scans.mark_regrading_due, sessionmaker, clock, settings)
    assert (await state_of(sessionmaker, risk_id))[0] == "publicised"
    clock.advance(timedelta(days=settings.regrading_period_days, minutes=1))
    await run_job(review_scans.mark_regrading_due, sessionmaker, clock, settings)
    assert (await state_of(sessionmaker, risk_id))[0] == "regrading_due"


async def test_return_with_comment_and_resubmission(flow: Flow) -> None:
    dp, bot, org, sessionmaker, *_ = flow
    risk_id, actions = await graded_card(flow)
    await press(dp, bot, DEPT_REVIEWER, actions[zh("review.btn.return")])
    assert zh("review.ask_return_comment") in shown(bot, DEPT_REVIEWER).text
    await say(dp, bot, DEPT_REVIEWER, "措施不够具体，请补充时限")
    assert zh("review.done.returned") in shown(bot, DEPT_REVIEWER).text
    assert (await state_of(sessionmaker, risk_id))[0] == "returned"
    async with unit_of_work(sessionmaker) as session:
        notes = await session.scalars(select(ReviewNote).where(ReviewNote.risk_id == risk_id))
        assert "措施不够具体，请补充时限" in [n.text for n in notes]
        # The holder is told, in their language, through the outbox.
        queued = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == org.staff)
        )
        assert any("措施不够具体，请补充时限" in str(m.payload.get("text")) for m in queued)
    # The holder opens the returned record and sends it back; it was returned from graded
    # review, so it goes straight back there, not to social review again.
    await press(dp, bot, org.staff, RiskCb(action="open", id=risk_id).pack())
    holder_actions = buttons(shown(bot, org.staff).reply_markup)
    await press(dp, bot, org.staff, holder_actions[zh("risks.resubmit")])
    assert shown(bot, org.staff).text == zh("risks.resubmitted")
    assert (await state_of(sessionmaker, risk_id))[0] == "graded_review"
    actions = await open_card(dp, bot, DEPT_REVIEWER, "graded")
    assert "措施不够具体，请补充时限" in shown(bot, DEPT_REVIEWER).text  # the history shows
    await press(dp, bot, DEPT_REVIEWER, actions[zh("review.btn.approve")])
    assert (await state_of(sessionmaker, risk_id))[0] == "org_approval"


async def test_override_level_needs_a_reason(flow: Flow) -> None:
    dp, bot, org, sessionmaker, *_ = flow
    risk_id, actions = await graded_card(flow)
    await press(dp, bot, DEPT_REVIEWER, actions[zh("review.btn.approve")])
    actions = await open_card(dp, bot, org.reviewer, "approval")
    await press(dp, bot, org.reviewer, actions[zh("review.btn.set_level")])
    levels = buttons(bot.sent(org.reviewer)[-1].reply_markup)  # type: ignore[attr-defined]
    await press(dp, bot, org.reviewer, levels[zh("grading.level.2")])
    assert zh("review.ask_level_reason") in shown(bot, org.reviewer).text
    # A blank reason is refused and asked again; nothing changes.
    await say(dp, bot, org.reviewer, "   ")
    assert shown(bot, org.reviewer).text == zh("review.level_reason_required")
    assert (await state_of(sessionmaker, risk_id))[0] == "org_approval"
    await say(dp, bot, org.reviewer, "涉及大额资金，提级管理")
    status, review = await state_of(sessionmaker, risk_id)
    assert status == "approved" and review is not None
    assert review.final_level == 2 and review.level_reason == "涉及大额资金，提级管理"


async def test_reviewer_of_another_unit_and_a_stale_card_are_refused(flow: Flow) -> None:
    dp, bot, org, sessionmaker, *_ = flow
    risk_id, actions = await graded_card(flow)
    approve = actions[zh("review.btn.approve")]
    # 财政局's reviewer sees nothing of it and a forged button does nothing.
    await say(dp, bot, org.other_reviewer, "/review")
    assert zh("review.inbox_empty") in shown(bot, org.other_reviewer).text
    await press(dp, bot, org.other_reviewer, approve)
    assert last_alert(bot)
    assert (await state_of(sessionmaker, risk_id))[0] == "graded_review"
    # The bureau reviewer acts first; the department reviewer's card is now stale.
    _, before = await state_of(sessionmaker, risk_id)
    await press(dp, bot, org.reviewer, approve)
    status, after = await state_of(sessionmaker, risk_id)
    assert status == "org_approval" and after is not None and before is not None
    await press(dp, bot, DEPT_REVIEWER, approve)
    assert last_alert(bot)
    status, again = await state_of(sessionmaker, risk_id)
    assert status == "org_approval" and again is not None and again.version == after.version


@pytest.mark.parametrize(
    ("factors", "level", "reviewer_of"),
    [(MID, 2, "reviewer"), (HIGH, 1, "admin")],
)
async def test_levels_two_and_one_are_routed_up(
    flow: Flow, factors: dict[str, int], level: int, reviewer_of: str
) -> None:
    """Level 2 → the bureau (unit) reviewer, level 1 → the commission; the department's
    reviewer sees neither at graded review."""
    dp, bot, org, sessionmaker, clock, settings = flow
    risk_id = await declare(sessionmaker, clock, org, factors, settings)
    _, review_row = await state_of(sessionmaker, risk_id)
    assert review_row is not None and review_row.suggested_level == level
    clock.advance(timedelta(days=5, minutes=1))
    await run_social_scan(sessionmaker, clock, settings)
    assert (await state_of(sessionmaker, risk_id))[0] == "graded_review"
    await say(dp, bot, DEPT_REVIEWER, "/review")
    assert zh("review.inbox_empty") in shown(bot, DEPT_REVIEWER).text
    tier = getattr(org, reviewer_of)
    actions = await open_card(dp, bot, tier, "graded")
    await press(dp, bot, tier, actions[zh("review.btn.approve")])
    assert (await state_of(sessionmaker, risk_id))[0] == "org_approval"
    actions = await open_card(dp, bot, tier, "approval")
    await press(dp, bot, tier, actions[zh("review.btn.approve")])
    status, review_row = await state_of(sessionmaker, risk_id)
    assert status == "approved" and review_row is not None and review_row.final_level == level


async def test_colleague_comments_and_agrees_during_social_review_and_reads_history(
    flow: Flow,
) -> None:
    dp, bot, org, sessionmaker, clock, settings = flow
    risk_id = await declare(sessionmaker, clock, org, LOW, settings)
    # The holder does not review their own record.
    await say(dp, bot, org.staff, "/peer")
    assert shown(bot, org.staff).text == zh("peer.empty")
    await say(dp, bot, org.colleague, "/peer")
    listing = buttons(shown(bot, org.colleague).reply_markup)
    # The list button: the id and the start of the description, on one short line.
    (label,) = [caption for caption in listing if caption.startswith(f"#{risk_id} ")]
    assert "审批中收受好处" in label and len(label) <= LIST_LABEL_MAX
    await press(dp, bot, org.colleague, listing[label])
    card = shown(bot, org.colleague)
    assert "审批中收受好处" in card.text
    actions = buttons(card.reply_markup)
    await press(dp, bot, org.colleague, actions[zh("peer.btn.comment")])
    assert shown(bot, org.colleague).text == zh("peer.ask_comment")
    await say(dp, bot, org.colleague, "建议增加抽查比例")
    assert zh("peer.done.commented") in shown(bot, org.colleague).text
    await press(dp, bot, org.colleague, actions[zh("peer.btn.agree")])
    async with unit_of_work(sessionmaker) as session:
        query = select(ReviewNote).where(ReviewNote.risk_id == risk_id)
        notes = [(n.kind, n.text) for n in await session.scalars(query)]
    assert ("comment", "建议增加抽查比例") in notes and "agree" in [kind for kind, _ in notes]
    # Another unit's staff cannot open it, by list or forged button.
    await press(dp, bot, org.outsider, listing[label])
    assert last_alert(bot) == zh("peer.not_open")
    # /history: the colleague reads the trail; the outsider gets nothing.
    await say(dp, bot, org.colleague, f"/history {risk_id}")
    text = shown(bot, org.colleague).text
    assert zh("history.title", risk_id=risk_id) in text and zh("history.action.declare") in text
    assert "risk.declare" not in text
    await say(dp, bot, org.outsider, f"/history {risk_id}")
    assert shown(bot, org.outsider).text == zh("history.not_found")
    await say(dp, bot, org.outsider, "/history")
    assert shown(bot, org.outsider).text == zh("history.usage")


async def test_a_disputed_proposal_waits_in_the_proposers_inbox_and_can_be_withdrawn(
    flow: Flow,
) -> None:
    dp, bot, org, sessionmaker, clock, settings = flow
    async with unit_of_work(sessionmaker) as session:
        reviewer = await session.get(Person, org.reviewer_id)
        staff = await session.get(Person, org.staff_id)
        assert reviewer is not None and staff is not None
        proposal = await risks.propose_risk(
            session, clock, actor=reviewer, post_id=org.post_id,
            description="收受红包", risk_type="moral", settings=settings)  # fmt: skip
        await risks.answer_proposal(
            session, clock, actor=staff, risk_id=proposal.id, accept=False,
            reason="本岗位不经手现金", settings=settings)  # fmt: skip
    actions = await open_card(dp, bot, org.reviewer, "disputes")
    assert "收受红包" in shown(bot, org.reviewer).text
    await press(dp, bot, org.reviewer, actions[zh("review.btn.withdraw")])
    assert (await state_of(sessionmaker, proposal.id))[0] == "withdrawn"


async def test_leadership_record_is_fixed_by_the_commission(flow: Flow) -> None:
    """集体议 → 自己审 → 常委定: after the leader's two steps, the commission approves."""
    dp, bot, org, sessionmaker, clock, settings = flow
    risk_id = await declare(
        sessionmaker, clock, org, MID, settings, actor_id=org.leader_id,
        description="干预下属审批", risk_type="moral", measure="重大事项集体决策",
    )  # fmt: skip
    assert (await state_of(sessionmaker, risk_id))[0] == "collective_discussion"
    async with unit_of_work(sessionmaker) as session:
        leader = await session.get(Person, org.leader_id)
        assert leader is not None
        await risks.record_discussion(
            session, clock, actor=leader, risk_id=risk_id,
            held_on=clock.now().date(), summary="班子会议讨论通过", settings=settings)  # fmt: skip
        await risks.confirm_self_review(
            session, clock, actor=leader, risk_id=risk_id, settings=settings
        )
    assert (await state_of(sessionmaker, risk_id))[0] == "standing_committee"
    actions = await open_card(dp, bot, org.admin, "approval")
    assert "干预下属审批" in shown(bot, org.admin).text
    await press(dp, bot, org.admin, actions[zh("review.btn.approve")])
    assert (await state_of(sessionmaker, risk_id))[0] == "approved"
