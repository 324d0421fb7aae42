"""Publicity rounds (社会公示) end to end through the sandbox: the commission opens a round by
pressing buttons; the channel shows the header and unit posts without personal names, and
edits them when the round closes; 张大爷 subscribes and is told once at open and once at close
(fake clock); citizens browse /publicity to a card and open the channel's deep link, Alex in
English; a scheduled round opens on its date; stale and forged buttons, a sticker where a date
is asked, and a non-admin change nothing."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.sandbox import CHANNEL_ID
from bot.scheduling.runner import JobRunner
from bot.settings import Settings
from handlers.callbacks import RoundWizardAction, RoundWizardCb
from storage.db import SessionMaker
from storage.models.outbox import OutboxMessage
from storage.models.publicity import PublicityRound
from storage.models.register import RiskPoint
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap
from tests.kit.persona import Persona, SandboxClient
from tests.kit.publicity import RESPONSIBLE, approved_risks, post_named
from tests.kit.rows import count_rows

ADMIN, STAFF, CITIZEN, ALEX = 100001, 100005, 100101, 100102  # 李纪委, 王芳, 张大爷, Alex
STAFF_NAMES = ("王芳", "郑强", "李纪委", "孙局长", "周科长", RESPONSIBLE)


def zh(key: str) -> str:
    return translate(key, "zh")


def en(key: str) -> str:
    return translate(key, "en")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The bot posts rounds to the sandbox's channel."""
    return settings.model_copy(update={"public_channel_id": CHANNEL_ID})


async def _risks(sessionmaker: SessionMaker) -> list[int]:
    ids = await approved_risks(sessionmaker, await post_named(sessionmaker, "医政审批岗"), 2)
    ids += await approved_risks(
        sessionmaker, await post_named(sessionmaker, "惠农补贴发放岗"), 1, level=1, prefix="补贴"
    )
    return ids


async def _open_now(admin: Persona) -> None:
    await admin.send("/publicity")
    await tap(admin, zh("publicity.admin.new"))
    await tap(admin, zh("publicity.scope_all"))
    await tap(admin, zh("publicity.active_no"))
    await tap(admin, zh("publicity.start_now"))
    await admin.expect("第 4 步")
    await tap(admin, zh("publicity.confirm"))
    await admin.expect("社会公示已开启")


async def _subscribe_to(citizen: Persona, unit: str, save: str, done: str) -> None:
    await citizen.send("/subscribe")
    await citizen.expect(re.compile(r"订阅|follow", re.I))
    await tap(citizen, f"▫️ {unit}")
    await citizen.expect(unit)
    await tap(citizen, save)
    await citizen.expect(done)


async def _eventually_count(
    sessionmaker: SessionMaker, expected: int, model: type, *where: object
) -> None:
    """The reply is sent before the update's transaction commits: wait for the commit."""
    for _ in range(50):
        if await count_rows(sessionmaker, model, *where) == expected:
            return
        await asyncio.sleep(0.1)
    assert await count_rows(sessionmaker, model, *where) == expected


async def test_the_commission_opens_a_round_the_channel_and_a_subscriber_follow_it(
    kit: SandboxClient, clock: FakeClock, sessionmaker: SessionMaker, runner: JobRunner
) -> None:
    ids = await _risks(sessionmaker)
    admin, citizen = await kit.persona_for(ADMIN), await kit.persona_for(CITIZEN)
    await _subscribe_to(citizen, "卫生局", "💾 保存", "已订阅")

    await _open_now(admin)
    header = await kit.expect_channel_post("廉政风险点社会公示")
    assert "3 个廉政风险点" in header.text
    unit_post = await kit.expect_channel_post("医政科")
    await kit.expect_channel_post("农业科")
    posts = await kit.channel_posts()
    assert len(posts) == 3
    for post in posts:
        assert not any(name in post.text for name in STAFF_NAMES), post.text
    assert "医政审批岗" in unit_post.text and "双人复核" in unit_post.text
    links = [b["url"] for b in unit_post.inline_buttons]
    assert len(links) == 2 and all("?start=fb_" in url for url in links)
    async with sessionmaker() as session:
        statuses = set(
            await session.scalars(select(RiskPoint.status).where(RiskPoint.id.in_(ids)))
        )
    assert statuses == {"publicised"}

    notice = await citizen.expect("新一期廉政风险点社会公示已开始")
    assert "3 个风险点" in notice.text
    # The channel's deep link opens the card, with the feedback button.
    await citizen.open_url(links[1])
    card = await citizen.expect("风险表现")
    assert "医政审批岗" in card.text and "（2/2）" in card.text
    assert zh("publicity.card.feedback") in card.buttons
    assert RESPONSIBLE not in card.text

    clock.advance(timedelta(days=7, minutes=1))
    await runner.tick()
    await citizen.expect("本期社会公示已结束")
    closed = await kit.expect_channel_post("公示已于")
    assert closed.edited and closed.buttons == []
    await runner.tick()
    await citizen.expect_nothing(1)
    async with sessionmaker() as session:
        told = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id == CITIZEN, OutboxMessage.kind.like("publicity.%"))
        )
    assert told == 2  # once at open, once at close
    await admin.expect("小结")


async def test_citizens_browse_to_a_card_in_both_languages(
    kit: SandboxClient, bot_running: RunningBot, sessionmaker: SessionMaker
) -> None:
    await _risks(sessionmaker)
    admin = await kit.persona_for(ADMIN)
    await _open_now(admin)
    citizen = await kit.persona_for(CITIZEN)
    await citizen.send("/publicity")
    await citizen.expect("正在公示")
    await tap(citizen, "第 1 期")
    await citizen.expect("共 2 个单位")
    await tap(citizen, "医政科 (2)")
    card = await citizen.expect("风险表现")
    assert "（1/2）" in card.text
    await tap(citizen, translate("nav.next", "zh"))
    card = await citizen.expect("（2/2）")
    assert card.edited and card.message_id == (await citizen.last_bot_message()).message_id

    alex = await kit.persona_for(ALEX)
    await alex.send("/publicity")
    await alex.expect("Open rounds")
    await tap(alex, "Round 1")
    await tap(alex, "农业科 (1)")
    card = await alex.expect("Control measures")
    assert "Level: Level 1 (high)" in card.text
    assert en("publicity.card.feedback") in card.buttons
    await _subscribe_to(alex, "财政局", "💾 Save", "Following")
    # A wrong deep link is simply not found.
    await alex.send("/start fb_notARealCode")
    await alex.expect(en("publicity.not_found"))


async def test_a_scheduled_round_opens_on_its_date_and_a_sticker_changes_nothing(
    kit: SandboxClient, clock: FakeClock, sessionmaker: SessionMaker, runner: JobRunner
) -> None:
    await _risks(sessionmaker)
    admin = await kit.persona_for(ADMIN)
    await admin.send("/publicity")
    await tap(admin, zh("publicity.admin.new"))
    await tap(admin, zh("publicity.scope_pick"))
    await tap(admin, "▫️ 卫生局")
    await admin.expect("已选 1 个")
    await tap(admin, zh("publicity.units_done"))
    await tap(admin, zh("publicity.active_no"))
    await tap(admin, zh("publicity.start_date"))
    await admin.expect(zh("publicity.ask_date"))
    await admin.send_sticker()
    await admin.expect(zh("publicity.need_text"))
    await admin.send("明天")
    await admin.expect(zh("publicity.bad_date"))
    await admin.send("2026-11-20")
    await admin.expect(zh("publicity.date_past"))
    await admin.send("2026-11-28")
    preview = await admin.expect("第 4 步")
    assert "风险点：2 个" in preview.text and "医政科" in preview.text
    await tap(admin, zh("publicity.confirm"))
    await admin.expect("已安排")
    await _eventually_count(sessionmaker, 1, PublicityRound)

    await runner.tick()
    assert await kit.channel_posts() == []
    clock.set(datetime(2026, 11, 28, 0, 59, tzinfo=UTC))  # 08:59 on the 28th in Shanghai
    await runner.tick()
    assert await count_rows(sessionmaker, PublicityRound, PublicityRound.status == "open") == 0
    clock.set(datetime(2026, 11, 28, 1, 1, tzinfo=UTC))  # 09:01: it opens
    await runner.tick()
    header = await kit.expect_channel_post("廉政风险点社会公示")
    assert "2 个廉政风险点" in header.text
    assert await count_rows(sessionmaker, PublicityRound, PublicityRound.status == "open") == 1


async def test_stale_and_forged_buttons_and_non_admins_change_nothing(
    kit: SandboxClient, bot_running: RunningBot, sessionmaker: SessionMaker
) -> None:
    await _risks(sessionmaker)
    admin, staff = await kit.persona_for(ADMIN), await kit.persona_for(STAFF)
    # A non-admin's /publicity is the citizens' view; a forged wizard button does nothing.
    await staff.send("/publicity")
    browse = await staff.expect(zh("publicity.browse.none"))
    confirm = RoundWizardCb(action=RoundWizardAction.CONFIRM).pack()
    await staff.press_data(browse.message_id, confirm)
    await staff.expect_notice()
    # The admin's forged unit and a confirm from an earlier step are refused.
    await admin.send("/publicity")
    await tap(admin, zh("publicity.admin.new"))
    await tap(admin, zh("publicity.scope_pick"))
    units = await admin.expect("已选 0 个")
    forged = RoundWizardCb(action=RoundWizardAction.TOGGLE, value=99999).pack()
    await admin.press_data(units.message_id, forged)
    await admin.expect_notice(zh("publicity.stale"))
    await admin.press_data(units.message_id, confirm)
    await admin.expect_notice(zh("publicity.stale"))
    await tap(admin, zh("publicity.units_done"))
    await admin.expect_notice(zh("publicity.no_units"))
    await tap(admin, zh("publicity.wizard.abort"))
    await admin.expect(zh("publicity.wizard.cancelled"))
    await admin.press_data(units.message_id, confirm)
    await admin.expect_notice(zh("publicity.stale"))
    assert await count_rows(sessionmaker, PublicityRound) == 0
    async with sessionmaker() as session:
        statuses = set(await session.scalars(select(RiskPoint.status)))
    assert statuses == {"approved"}
