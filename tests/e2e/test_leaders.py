"""Leaders through the sandbox: /overview for 赵区长 (the district) drilling into 卫生局, 孙局长
seeing only his bureau, citizens and staff refused in words; weekly digests at their hour."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import select

from bot.demo.seed_scale import generate
from bot.domain.clock import FakeClock
from bot.domain.register_rules import local_today
from bot.i18n import translate
from handlers.callbacks import OverviewAction, OverviewCb
from storage.db import SessionMaker
from storage.models.org import Unit
from tests.e2e.conftest import RunningBot
from tests.kit.grading_ui import tap, zh
from tests.kit.persona import SandboxClient

LEADER, BUREAU_HEAD, STAFF = 100002, 100003, 100005  # 赵区长, 孙局长 (卫生局), 王芳
CITIZEN, CITIZEN_EN = 100101, 100102  # 张大爷, Alex


@pytest.fixture
async def register(demo: None, sessionmaker: SessionMaker, clock: FakeClock) -> None:
    """The seed's register over the demo organisation (长安区's units reused)."""
    async with sessionmaker() as session:
        await generate(session, scale=1, today=local_today(clock.now(), "Asia/Shanghai"))
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
