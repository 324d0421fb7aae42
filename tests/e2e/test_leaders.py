"""Leaders through the sandbox: /overview for 赵区长 (the district) drilling into 卫生局, 孙局长
seeing only his bureau, citizens and staff refused in words; weekly digests at their hour."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import select

from bot.demo.seed_scale import generate
from bot.domain.clock import FakeClock
from bot.domain.register_rules import local_today
from bot.i18n import translate
from bot.scheduling.jobs import all_jobs
from bot.scheduling.runner import JobRunner
from bot.settings import Settings
from handlers.callbacks import OverviewAction, OverviewCb
from storage.db import SessionMaker
from storage.models.org import Person, RoleAssignment, Unit
from storage.models.schedule import JobState
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap, zh
from tests.kit.persona import BotMessage, Persona, SandboxClient

LEADER, BUREAU_HEAD, STAFF = 100002, 100003, 100005  # 赵区长, 孙局长 (卫生局), 王芳
CITIZEN, CITIZEN_EN = 100101, 100102  # 张大爷, Alex
STAFF_EN = 100010  # Emily Chen (教育局/基础教育科)


@pytest.fixture
async def register(
    demo: None, sessionmaker: SessionMaker, clock: FakeClock, settings: Settings
) -> None:
    """The seed's register over the demo organisation (长安区's units reused). The other
    scans have just run (they take many seconds over a register this size, and the bot runs
    a tick before it polls); the digest scan is this module's subject."""
    async with sessionmaker() as session:
        await generate(session, scale=1, today=local_today(clock.now(), "Asia/Shanghai"))
        for job in all_jobs(settings):
            if job.name != "send_digests":
                session.add(JobState(name=job.name, last_run_at=clock.now()))
        await session.commit()


async def test_district_leader_sees_the_seed_table_and_drills_into_a_bureau(
    register: None, kit: SandboxClient, bot_running: RunningBot
) -> None:
    leader = await kit.persona_for(LEADER)
    await leader.send("/overview")
    table = await leader.expect("廉政风险防控概况", timeout=20)
    assert "长安区 · 截至 2026-11-26" in table.text
    assert "职权 1425 项：对外行使 1232 项，内部管理 193 项" in table.text
    assert "廉政风险点 2351 个：一级 683 个，二级 937 个，三级 731 个" in table.text
    assert "领导班子成员：风险点 50 个，防控措施 75 项" in table.text
    assert "防控措施 2600 项" in table.text
    assert "卫生局" in table.buttons and "教育局" in table.buttons
    (photo,) = [m for m in await leader.messages() if m.from_bot and m.kind == "photo"]
    assert photo.message_id < table.message_id and "长安区" in photo.text
    assert photo.raw["photo"]["width"] == 1000  # the chart itself, uploaded
    url = kit.base_url + photo.raw["photo"]["url"]  # what the chat page's <img> loads
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert (await response.read())[:4] == b"\x89PNG"
    await tap(leader, "卫生局")
    drilled = await leader.expect("长安区/卫生局")
    assert drilled.message_id == table.message_id and drilled.edited  # edited in place
    assert "医政科" in drilled.buttons and "教育局" not in drilled.buttons
    await tap(leader, zh("overview.btn.ranking"))
    ranking = await leader.expect("单位排名")
    assert "1. " in ranking.text and "覆盖" in ranking.text
    await tap(leader, zh("overview.btn.back"))
    await leader.expect("长安区/卫生局")
    await tap(leader, zh("overview.btn.up"))
    top = await leader.expect("职权 1425 项")
    assert "教育局" in top.buttons
    await tap(leader, zh("overview.btn.chart"))
    second = await leader.expect("风险点按等级")
    assert second.kind == "photo" and second.message_id > top.message_id


async def test_bureau_head_sees_only_his_bureau_and_others_are_refused(
    register: None, kit: SandboxClient, bot_running: RunningBot, sessionmaker: SessionMaker
) -> None:
    head = await kit.persona_for(BUREAU_HEAD)
    await head.send("/overview")
    table = await head.expect("廉政风险防控概况", timeout=20)
    assert "长安区/卫生局 · 截至" in table.text
    assert "职权 1425 项" not in table.text
    assert "教育局" not in table.buttons and "医政科" in table.buttons
    # A forged button for a unit outside his bureau changes nothing and says why.
    async with sessionmaker() as session:
        education = await session.scalar(select(Unit.id).where(Unit.path == "长安区/教育局"))
    forged = OverviewCb(action=OverviewAction.UNIT, unit_id=education or 0).pack()
    await head.press_data(table.message_id, forged)
    await head.expect_notice(translate("errors.not_allowed", "zh"))

    for user_id, locale in ((CITIZEN, "zh"), (STAFF, "zh"), (CITIZEN_EN, "en")):
        someone = await kit.persona_for(user_id)
        await someone.send("/overview")
        await someone.expect(translate("overview.not_allowed", locale)[:30])


def local_time(day: str, hour: int, minute: int = 30) -> datetime:
    """`day` at hour:minute in Asia/Shanghai, as UTC."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}:00+08:00").astimezone(UTC)


async def digest_photos(persona: Persona, marker: str) -> list[BotMessage]:
    return [m for m in await persona.messages() if m.kind == "photo" and marker in m.text]


async def test_weekly_digests_arrive_once_at_their_hour_in_each_language(
    register: None,
    kit: SandboxClient,
    bot_running: RunningBot,
    clock: FakeClock,
    sessionmaker: SessionMaker,
) -> None:
    # The digest job alone, through the same runner (the reminder scans take seconds a tick
    # over a register of the seed's size and are tested elsewhere).
    full: JobRunner = bot_running.dp["job_runner"]
    digest_jobs = [job for job in full.jobs if job.name == "send_digests"]
    runner = JobRunner(digest_jobs, full.sessionmaker, full.clock, full.settings)
    async with sessionmaker() as session:  # Emily Chen leads her department, in English
        emily = await session.scalar(select(Person).where(Person.telegram_id == STAFF_EN))
        assert emily is not None
        session.add(RoleAssignment(person_id=emily.id, role="leader", unit_id=emily.unit_id))
        await session.commit()
    leader, english = await kit.personas_for(LEADER, STAFF_EN)

    await leader.send("/digest")
    await leader.expect("您尚未订阅")
    await tap(leader, zh("digest.freq.weekly"))
    await leader.expect("每周一几点发送")
    await tap(leader, "9:00")
    await leader.expect("已订阅：每周一 9:00")
    await english.send("/digest")
    await english.expect("You are not subscribed")
    await tap(english, translate("digest.freq.weekly", "en"))
    await tap(english, "8:00")
    await english.expect("Subscribed: Mondays at 8:00")

    clock.set(local_time("2026-11-30", 7))  # Monday, before both hours: nothing
    await runner.tick()
    await leader.expect_nothing(seconds=1)
    clock.set(local_time("2026-11-30", 9, 5))
    await runner.tick()
    first = await leader.expect("廉政风险防控简报", timeout=20)
    assert first.kind == "photo" and "风险点 2351 个" in first.text
    assert "这是您的第一份简报" in first.text and "逾期最久的防控措施" in first.text
    mine = await english.expect("Integrity-risk digest", timeout=20)
    assert mine.kind == "photo" and "基础教育科" in mine.text and "风险点" not in mine.text
    clock.set(local_time("2026-11-30", 9, 45))
    await runner.tick()  # the scan again: nothing more
    await leader.expect_nothing(seconds=1.5)
    assert len(await digest_photos(leader, "简报")) == 1

    # Down for three weeks: one digest, for the latest week, with what changed.
    clock.set(local_time("2026-12-22", 10))
    await runner.tick()
    latest = await leader.expect("廉政风险防控简报", timeout=20)
    assert "与上次简报相比" in latest.text
    await english.expect("Since your last digest", timeout=20)
    await runner.tick()
    await leader.expect_nothing(seconds=1.5)
    assert len(await digest_photos(leader, "简报")) == 2
    assert len(await digest_photos(english, "digest")) == 2

    # Paused: the next Monday brings nothing.
    await leader.send("/digest")
    await tap(leader, zh("digest.btn.pause"))
    await leader.expect("已暂停")
    clock.set(local_time("2026-12-28", 9, 30))
    await runner.tick()
    await english.expect("Integrity-risk digest", timeout=20)
    await leader.expect_nothing(seconds=1)
