"""/report through the sandbox: the district leader gets a PDF and an XLSX (with the upload
indicator) over a register of the seed's shape, whose numbers are the overview's; the bureau's
leader gets his bureau only; a citizen and plain staff are refused."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from bot.demo.seed_scale import generate
from bot.domain.clock import FakeClock
from bot.domain.register_rules import local_today
from bot.i18n import translate
from bot.services.stats.overview import overview
from bot.services.stats.scope import scope_of
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from tests.e2e.conftest import RunningBot, Sandbox
from tests.e2e.test_reports import tap
from tests.kit.persona import Persona, SandboxClient

DISTRICT_LEADER, BUREAU_HEAD = 100002, 100003  # 赵区长, 孙局长 (卫生局)
STAFF, CITIZEN, ENGLISH_STAFF = 100005, 100101, 100010


async def receive_files(persona: Persona, sandbox: Sandbox) -> dict[str, bytes]:
    """The documents the bot sent, by file suffix, with their bytes from the sandbox."""
    files: dict[str, bytes] = {}
    while len(files) < 2:
        message = await persona.expect_message(timeout=30)
        document = message.raw.get("document")
        if message.kind != "document" or not document:
            continue
        stored = sandbox.world.files.get(document["file_id"])
        assert stored is not None
        files[document["file_name"].rpartition(".")[2]] = stored.data
    return files


async def person(sessionmaker: SessionMaker, telegram_id: int) -> Person:
    async with sessionmaker() as session:
        found = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        assert found is not None
        return found


@pytest.fixture
async def seed_register(
    sessionmaker: SessionMaker, clock: FakeClock, bot_running: RunningBot
) -> None:
    """The seed's figures over the demo organisation (its units reused by path), written once
    the bot runs: its start-up scans would re-suggest the generated levels otherwise."""
    async with sessionmaker() as session:
        await generate(
            session, scale=1, seed=2026, today=local_today(clock.now(), "Asia/Shanghai")
        )
        await session.commit()


async def test_district_leader_gets_a_pdf_and_an_xlsx_with_the_overviews_numbers(
    kit: SandboxClient,
    sandbox: Sandbox,
    seed_register: None,
    sessionmaker: SessionMaker,
    clock: FakeClock,
    settings: Settings,
) -> None:
    leader = await kit.persona_for(DISTRICT_LEADER)
    await leader.send("/report")
    await leader.expect(translate("report.ask_period", "zh"))
    await tap(leader, translate("report.btn.year", "zh"))
    files = await receive_files(leader, sandbox)
    action = sandbox.world.chat(DISTRICT_LEADER).last_action
    assert action is not None and action[0] == "upload_document"
    await leader.expect(translate("report.sent", "zh", period=translate("report.btn.year", "zh")))

    async with sessionmaker() as session:
        someone = await session.scalar(select(Person).where(Person.telegram_id == DISTRICT_LEADER))
        scope = await scope_of(session, someone)
        today = local_today(clock.now(), settings.timezone)
        figures = await overview(session, scope, today=today)
    total = figures.total
    assert (total.powers, total.powers_external, total.powers_internal) == (1425, 1232, 193)
    assert total.risks_by_level == (683, 937, 731)

    reader = PdfReader(BytesIO(files["pdf"]))
    assert len(reader.pages) == 1
    # The summary wraps: lines joined again (Chinese has no spaces to lose).
    text = reader.pages[0].extract_text().replace("\n", "")
    for fragment in (
        f"共清理职权{total.powers}项",
        f"对外行使职权{total.powers_external}项",
        f"内部管理职权{total.powers_internal}项",
        f"共查找廉政风险点{total.risks}个",
        f"一级风险{total.risks_level1}个",
        f"二级风险{total.risks_level2}个",
        f"三级风险{total.risks_level3}个",
        f"制定防控措施{total.measures}条",
        f"逾期{total.measures_overdue}条",
        f"领导班子成员查找风险点{total.leadership_risks}个",
        "廉政风险防控工作报告",
    ):
        assert fragment in text, fragment

    book = load_workbook(BytesIO(files["xlsx"]))
    assert len(book.sheetnames) == 5
    totals = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    assert totals["职权"] == total.powers
    assert totals["对外行使职权"] == total.powers_external
    assert totals["内部管理职权"] == total.powers_internal
    assert totals["廉政风险点"] == total.risks
    assert (totals["一级"], totals["二级"], totals["三级"]) == total.risks_by_level
    assert totals["防控措施"] == total.measures
    assert totals["逾期措施"] == total.measures_overdue
    assert totals["领导班子风险点"] == total.leadership_risks
    assert totals["领导班子防控措施"] == total.leadership_measures
    by_unit = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert sum(row[4] for row in by_unit) == total.risks  # own records add up to the total
    overdue = book.worksheets[3]
    assert overdue.max_row - 1 == total.measures_overdue
    assert all(row[4].data_type == "d" for row in overdue.iter_rows(min_row=2))


async def test_bureau_leader_sees_his_bureau_only_in_english_too(
    kit: SandboxClient,
    sandbox: Sandbox,
    seed_register: None,
    sessionmaker: SessionMaker,
) -> None:
    async with sessionmaker() as session:
        head = await session.scalar(select(Person).where(Person.telegram_id == BUREAU_HEAD))
        assert head is not None
        head.language = "en"
        await session.commit()
    persona = await kit.persona_for(BUREAU_HEAD)
    await persona.send("/report")
    await persona.expect(translate("report.ask_period", "en"))
    await tap(persona, translate("report.btn.last_year", "en"))
    files = await receive_files(persona, sandbox)
    text = PdfReader(BytesIO(files["pdf"])).pages[0].extract_text()
    assert "卫生局 integrity-risk prevention report · 2025" in text
    book = load_workbook(BytesIO(files["xlsx"]))
    units = [row[0] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert units and all(path.startswith("长安区/卫生局") for path in units)
    assert book.sheetnames[0] == "Totals"


async def test_citizens_and_plain_staff_are_refused(
    kit: SandboxClient, bot_running: RunningBot
) -> None:
    for telegram_id, locale in ((CITIZEN, "zh"), (STAFF, "zh"), (ENGLISH_STAFF, "en")):
        someone = await kit.persona_for(telegram_id)
        await someone.send("/report")
        await someone.expect(translate("fallback.command_not_allowed", locale, command="report"))
