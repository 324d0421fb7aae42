"""The register's flows through the real dispatcher: declaration step by step with bad input at
every step, a restart mid-declaration, forged buttons, powers returned and seen, /export."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import SendDocument
from sqlalchemy import select

from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.settings import Settings
from handlers.callbacks import PowerCb, RegisterReviewCb, RiskCb
from storage.db import SessionMaker
from storage.models.register import ControlMeasure, Power, RiskPoint
from tests.dispatcher.helpers import buttons, last_alert, press, say, zh
from tests.kit.mocked_bot import MockedBot
from tests.kit.register import People, make_people
from tests.kit.uow import unit_of_work


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    return await make_people(sessionmaker, clock)


async def test_declaration_with_bad_input_at_every_step_and_a_restart(
    dp: Dispatcher,
    bot: MockedBot,
    org: People,
    sessionmaker: SessionMaker,
    settings: Settings,
    clock: FakeClock,
    fsm_storage: BaseStorage,
) -> None:
    staff = org.staff
    await say(dp, bot, staff, "/risks")
    await press(dp, bot, staff, RiskCb(action="declare").pack())
    assert zh("risks.ask_power") in bot.last_sent(staff).text
    # Typed text where a button is asked: the question again, with its buttons.
    await say(dp, bot, staff, "随便打字")
    assert zh("register.use_buttons") in bot.last_sent(staff).text
    assert zh("risks.no_power") in buttons(bot.last_sent(staff).reply_markup)
    await press(dp, bot, staff, RiskCb(action="power", id=0).pack())
    # A sticker where text is asked: a hint and the same question.
    await say(dp, bot, staff, None, sticker=True)
    assert zh("register.text_expected") in bot.last_sent(staff).text
    assert zh("risks.ask_description") in bot.last_sent(staff).text
    # Too long: refused with the limit, not cut.
    await say(dp, bot, staff, "长" * 1001)
    assert zh("register.text_too_long", limit=1000) in bot.last_sent(staff).text
    assert zh("risks.ask_description") in bot.last_sent(staff).text  # the same question again
    await say(dp, bot, staff, "审批中收受申请人好处")
    assert zh("risks.ask_type") in bot.last_sent(staff).text
    # A forged button value is refused.
    await press(dp, bot, staff, RiskCb(action="type", value=99).pack())
    assert last_alert(bot) == zh("fallback.stale_button")
    await press(dp, bot, staff, RiskCb(action="type", value=1).pack())
    await press(dp, bot, staff, RiskCb(action="focus", value=0).pack())
    for value in (4, 4, 3):
        await press(dp, bot, staff, RiskCb(action="factor", value=value).pack())
    assert zh("risks.ask_factor.likelihood") in bot.last_sent(staff).text

    # The bot restarts: a new dispatcher over the same storage resumes at the same step.
    dp2 = create_dispatcher(settings, sessionmaker, clock=clock, storage=fsm_storage)
    await say(dp2, bot, staff, "我打字了")
    assert zh("risks.ask_factor.likelihood") in bot.last_sent(staff).text
    for value in (3, 4):
        await press(dp2, bot, staff, RiskCb(action="factor", value=value).pack())
    shown = bot.last_sent(staff).text
    assert "建议定为" in shown and zh("risks.ask_measure") in shown
    await say(dp2, bot, staff, "审批结果公示")
    assert "张伟" in buttons(bot.last_sent(staff).reply_markup)
    await press(dp2, bot, staff, RiskCb(action="who", id=0).pack())
    for bad, key in (("明天", "register.date_format"), ("2026-02-30", "register.date_invalid"),
                     ("2020-01-01", "register.date_past")):  # fmt: skip
        await say(dp2, bot, staff, bad)
        assert zh(key) in bot.last_sent(staff).text
        # Asked again, quick picks too.
        assert zh("risks.ask_deadline") in bot.last_sent(staff).text
        assert zh("risks.quick.quarter") in buttons(bot.last_sent(staff).reply_markup)
    await say(dp2, bot, staff, "2026年12月31日")
    assert zh("risks.ask_more", n=1) in bot.last_sent(staff).text
    await press(dp2, bot, staff, RiskCb(action="more").pack())
    await say(dp2, bot, staff, "双人复核")
    await press(dp2, bot, staff, RiskCb(action="who", id=org.colleague_id).pack())
    await press(dp2, bot, staff, RiskCb(action="quick", value=1).pack())  # end of quarter
    await press(dp2, bot, staff, RiskCb(action="done").pack())
    card = bot.last_sent(staff).text
    assert "审批结果公示" in card and "2026-12-31" in card and "张伟" in card
    await press(dp2, bot, staff, RiskCb(action="save").pack())
    async with unit_of_work(sessionmaker) as session:
        risk = await session.scalar(select(RiskPoint))
        assert risk is not None and risk.status == "social_review"  # review took it up
        measures = list(await session.scalars(select(ControlMeasure).order_by(ControlMeasure.id)))
        assert [m.responsible_name for m in measures] == ["王芳", "张伟"]
        assert [m.deadline.isoformat() for m in measures] == ["2026-12-31", "2026-12-31"]
    # Another unit's staff forging the card's buttons sees nothing and changes nothing.
    await press(dp2, bot, org.outsider, RiskCb(action="open", id=risk.id).pack())
    assert last_alert(bot) == zh("register.not_found")
    await press(dp2, bot, org.outsider, RiskCb(action="withdraw", id=risk.id).pack())
    assert last_alert(bot) == zh("register.not_found")
    async with unit_of_work(sessionmaker) as session:
        assert (await session.get(RiskPoint, risk.id)).status == "social_review"  # type: ignore[union-attr]


async def test_cancel_leaves_the_declaration(
    dp: Dispatcher, bot: MockedBot, org: People, sessionmaker: SessionMaker
) -> None:
    await say(dp, bot, org.staff, "/risks")
    await press(dp, bot, org.staff, RiskCb(action="declare").pack())
    await press(dp, bot, org.staff, RiskCb(action="power", id=0).pack())
    await say(dp, bot, org.staff, "/cancel")
    assert bot.last_sent(org.staff).text == zh("cancel.done")
    await say(dp, bot, org.staff, "这句话不再是风险表现")
    assert bot.last_sent(org.staff).text == zh("fallback.unknown_text")


async def test_power_returned_with_a_comment_and_seen(
    dp: Dispatcher, bot: MockedBot, org: People, sessionmaker: SessionMaker
) -> None:
    staff = org.staff
    await say(dp, bot, staff, "/powers")
    await press(dp, bot, staff, PowerCb(action="add").pack())
    for text in ("医疗机构执业许可", "审批医疗机构设置"):
        await say(dp, bot, staff, text)
    await press(dp, bot, staff, PowerCb(action="subject_post").pack())
    await say(dp, bot, staff, "《医疗机构管理条例》第九条")
    assert zh("powers.ask_scope") in bot.last_sent(staff).text
    await press(dp, bot, staff, PowerCb(action="scope", value=0).pack())
    assert zh("powers.ask_category") in bot.last_sent(staff).text
    await press(dp, bot, staff, PowerCb(action="cat", value=0).pack())
    assert "医政审批岗" in bot.last_sent(staff).text  # the subject defaulted to the post
    await press(dp, bot, staff, PowerCb(action="save").pack())
    async with unit_of_work(sessionmaker) as session:
        power = await session.scalar(select(Power))
        assert power is not None and power.status == "submitted"
    # A staff member cannot reach the reviewer's buttons at all (router guard) …
    await press(dp, bot, staff, RegisterReviewCb(action="confirm", id=power.id).pack())
    assert last_alert(bot) == zh("fallback.stale_button")
    # … and a reviewer of another unit is refused by the service.
    await press(
        dp, bot, org.other_reviewer, RegisterReviewCb(action="confirm", id=power.id).pack()
    )
    assert last_alert(bot) == zh("errors.not_allowed")
    reviewer = org.reviewer
    await say(dp, bot, reviewer, "/powerreview")
    assert "医疗机构执业许可" in buttons(bot.last_sent(reviewer).reply_markup)
    await press(dp, bot, reviewer, RegisterReviewCb(action="return", id=power.id).pack())
    await say(dp, bot, reviewer, None, sticker=True)
    assert zh("register.text_expected") in bot.last_sent(reviewer).text
    await say(dp, bot, reviewer, "请补充法律依据的具体条款")
    assert bot.last_sent(reviewer).text == zh("review_powers.returned", name="医疗机构执业许可")
    await press(dp, bot, staff, PowerCb(action="open", id=power.id).pack())
    assert "请补充法律依据的具体条款" in bot.last_sent(staff).text


async def test_export_as_a_document(dp: Dispatcher, bot: MockedBot, org: People) -> None:
    await say(dp, bot, org.reviewer, "/export")
    documents = [m for m in bot.sent(org.reviewer) if isinstance(m, SendDocument)]
    assert len(documents) == 1
    await say(dp, bot, org.staff, "/export")
    assert bot.last_sent(org.staff).text == zh("fallback.command_not_allowed", command="export")


async def test_top_down_leadership_and_measure_report(
    dp: Dispatcher, bot: MockedBot, org: People, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    from handlers.callbacks import MeasureCb

    reviewer, staff, leader = org.reviewer, org.staff, org.leader
    # Top-down: the reviewer proposes two; the holder disputes one and confirms the other.
    for text in ("审批超时限", "收受红包"):
        await say(dp, bot, reviewer, "/propose")
        await press(dp, bot, reviewer, RegisterReviewCb(action="post", id=org.post_id).pack())
        await say(dp, bot, reviewer, text)
        await press(dp, bot, reviewer, RegisterReviewCb(action="type", value=4).pack())
    async with unit_of_work(sessionmaker) as session:
        first, second = (
            r.id for r in await session.scalars(select(RiskPoint).order_by(RiskPoint.id))
        )
    await press(dp, bot, staff, RiskCb(action="open", id=second).pack())
    assert zh("risks.dispute") in buttons(bot.last_sent(staff).reply_markup)
    await press(dp, bot, staff, RiskCb(action="dispute", id=second).pack())
    await say(dp, bot, staff, "本岗位不经手现金")
    assert bot.last_sent(staff).text == zh("risks.disputed")
    await press(dp, bot, staff, RiskCb(action="accept", id=first).pack())
    await press(dp, bot, staff, RiskCb(action="assess", id=first).pack())
    for value in (3, 3, 3, 3, 3):
        await press(dp, bot, staff, RiskCb(action="factor", value=value).pack())
    await say(dp, bot, staff, "限时办结")
    await press(dp, bot, staff, RiskCb(action="who", id=0).pack())
    await say(dp, bot, staff, "12月31日")
    await press(dp, bot, staff, RiskCb(action="done").pack())
    await press(dp, bot, staff, RiskCb(action="save").pack())
    async with unit_of_work(sessionmaker) as session:
        assert (await session.get(RiskPoint, first)).status == "social_review"  # type: ignore[union-attr]
        assert (await session.get(RiskPoint, second)).status == "disputed"  # type: ignore[union-attr]

    # Leadership: declare, then 集体议 and 自己审 from the card.
    await say(dp, bot, leader, "/risks")
    await press(dp, bot, leader, RiskCb(action="declare").pack())
    await press(dp, bot, leader, RiskCb(action="power", id=0).pack())
    await say(dp, bot, leader, "干预工程招投标")
    await press(dp, bot, leader, RiskCb(action="type", value=0).pack())
    await press(dp, bot, leader, RiskCb(action="focus", value=0).pack())
    for value in (5, 4, 4, 3, 5):
        await press(dp, bot, leader, RiskCb(action="factor", value=value).pack())
    await say(dp, bot, leader, "重大事项集体决策")
    await press(dp, bot, leader, RiskCb(action="who", id=0).pack())
    await press(dp, bot, leader, RiskCb(action="quick", value=2).pack())
    await press(dp, bot, leader, RiskCb(action="done").pack())
    await press(dp, bot, leader, RiskCb(action="save").pack())
    async with unit_of_work(sessionmaker) as session:
        risk = await session.scalar(
            select(RiskPoint).where(RiskPoint.post_id == org.leader_post_id)
        )
        assert risk is not None and risk.status == "collective_discussion"
    await press(dp, bot, leader, RiskCb(action="discuss", id=risk.id).pack())
    await say(dp, bot, leader, "2027-01-01")
    assert zh("register.date_future") in bot.last_sent(leader).text
    await say(dp, bot, leader, "11月20日")
    await say(dp, bot, leader, "班子会议集体研究同意")
    await press(dp, bot, leader, RiskCb(action="self_ok", id=risk.id).pack())
    assert bot.last_sent(leader).text == zh("risks.to_committee")
    async with unit_of_work(sessionmaker) as session:
        done = await session.get(RiskPoint, risk.id)
        assert done is not None and done.status == "standing_committee"
        assert (
            done.discussion_date is not None and done.discussion_date.isoformat() == "2026-11-20"
        )
        measure = await session.scalar(
            select(ControlMeasure).where(ControlMeasure.risk_id == first)
        )
        assert measure is not None

    # Measure report, and overdue once its deadline passed.
    from datetime import timedelta

    clock.advance(timedelta(days=40))
    await say(dp, bot, staff, "/measures")
    labels = "".join(buttons(bot.last_sent(staff).reply_markup))
    assert "限时办结" in labels
    assert zh("measures.overdue_mark").strip() in labels
    await press(dp, bot, staff, MeasureCb(action="open", id=measure.id).pack())
    assert zh("measures.overdue") in bot.last_sent(staff).text
    await press(dp, bot, org.outsider, MeasureCb(action="open", id=measure.id).pack())
    assert last_alert(bot) == zh("register.not_found")
    await press(dp, bot, staff, MeasureCb(action="status", id=measure.id, value=1).pack())
    await say(dp, bot, staff, "已全部限时办结")
    assert "限时办结" in bot.last_sent(staff).text
    async with unit_of_work(sessionmaker) as session:
        assert (await session.get(ControlMeasure, measure.id)).status == "done"  # type: ignore[union-attr]
