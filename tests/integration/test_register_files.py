"""Register files: export → re-import into an empty register → export again gives identical
rows (CSV and XLSX); bad rows are reported by row and nothing is imported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.domain.clock import FakeClock
from bot.services import powers, risks
from bot.services.org_import import ImportRejected
from bot.services.register_files import (
    REGISTER_HEADER_ZH,
    STANDARD_FORM_ZH,
    export_register,
    import_powers,
    import_risks,
    register_rows,
)
from bot.services.risks import MeasureDraft, RiskDraft
from bot.services.tabular import write_table
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from storage.models.register import ControlMeasure, MeasureReport, Power, RiskPoint
from storage.models.review import RiskReview
from tests.kit.register import People, make_people
from tests.kit.uow import unit_of_work

TODAY = date(2026, 11, 26)
FACTORS = {"importance": 4, "discretion": 4, "public": 3, "likelihood": 3, "harm": 4}


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock, settings: Settings) -> People:
    org = await make_people(sessionmaker, clock)
    async with unit_of_work(sessionmaker) as session:
        staff = await session.get(Person, org.staff_id)
        power = await powers.add_power(
            session, clock, actor=staff,
            draft=powers.PowerDraft("医疗机构执业许可", "审批", "医政科", "条例第九条",
                                    "行政许可/审批", "external"),
            settings=settings,
        )  # fmt: skip
        await risks.declare_risk(
            session, clock, actor=staff,
            draft=RiskDraft("审批中收受好处", "duty", FACTORS, (
                MeasureDraft("审批结果公示", date(2026, 12, 31)),
                MeasureDraft("双人复核", date(2027, 3, 31), responsible_id=org.colleague_id),
            ), power_id=power.id, focus_programme="合作医疗"), settings=settings)  # fmt: skip
        leader = await session.get(Person, org.leader_id)
        await risks.declare_risk(
            session, clock, actor=leader,
            draft=RiskDraft("干预工程招投标", "moral", FACTORS | {"harm": 5},
                            (MeasureDraft("重大事项集体决策", date(2026, 12, 31)),)),
            settings=settings)  # fmt: skip
    return org


async def _wipe_register(sessionmaker: SessionMaker) -> None:
    async with unit_of_work(sessionmaker) as session:
        for model in (MeasureReport, ControlMeasure, RiskPoint, Power):
            await session.execute(delete(model))
        await session.commit()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_round_trip(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, tmp_path: Path, suffix: str
) -> None:
    first = tmp_path / f"first{suffix}"
    async with unit_of_work(sessionmaker) as session:
        assert await export_register(session, first) == 3
        rows_before = await register_rows(session)
        power_rows = [
            ["长安区/卫生局/医政科", "医政审批岗", p.name, p.content, p.subject, p.legal_basis,
             p.category, "对外", "已提交"]
            for p in await session.scalars(select(Power))
        ]  # fmt: skip
    # Not approved yet: the approved level (风险等级) is blank beside the suggested one.
    assert rows_before[1][:12] == [
        "长安区/卫生局/医政科", "医政审批岗", "医疗机构执业许可", "审批中收受好处", "岗位职责",
        "", "二级", "", "审批结果公示", "王芳", date(2026, 12, 31), "社会评议中",
    ]  # fmt: skip
    powers_file = tmp_path / f"powers{suffix}"
    write_table(
        powers_file,
        ["单位", "岗位", "职权名称", "职权内容", "行使主体", "法律依据", "类别", "范围", "状态"],
        power_rows,
    )
    await _wipe_register(sessionmaker)
    async with unit_of_work(sessionmaker) as session:
        assert (await import_powers(session, clock, powers_file)).created == 1
        assert (await import_risks(session, clock, first, today=TODAY)).created == 2
        # Importing again adds nothing.
        assert (await import_risks(session, clock, first, today=TODAY)).unchanged == 2
    second = tmp_path / f"second{suffix}"
    async with unit_of_work(sessionmaker) as session:
        await export_register(session, second)
        assert await register_rows(session) == rows_before
        count = await session.scalar(select(func.count()).select_from(ControlMeasure))
        assert count == 3
    if suffix == ".csv":
        assert first.read_bytes() == second.read_bytes()


async def test_bad_rows_are_reported_and_nothing_is_imported(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, tmp_path: Path
) -> None:
    await _wipe_register(sessionmaker)
    bad = tmp_path / "bad.csv"
    good = ["长安区/卫生局/医政科", "医政审批岗", "", "正常风险", "岗位职责", "三级", "措施",
            "王芳", "2026-12-31", "已提交"]  # fmt: skip
    write_table(
        bad,
        STANDARD_FORM_ZH,
        [
            good,
            ["长安区/不存在", "医政审批岗", "", "x", "岗位职责", "", "", "", "", ""],
            [*good[:4], "不知道", *good[5:]],
            [*good[:5], "四级", *good[6:]],
            [*good[:8], "下个月", good[9]],
            [*good[:3], "", *good[4:]],
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        async with unit_of_work(sessionmaker) as session:
            await import_risks(session, clock, bad, today=TODAY)
    assert [(p.row, p.key) for p in rejected.value.problems] == [
        (3, "import.unknown_unit"),
        (4, "import.bad_risk_type"),
        (5, "import.bad_level"),
        (6, "import.bad_deadline"),
        (7, "import.description_missing"),
    ]
    async with unit_of_work(sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(RiskPoint)) == 0


def test_cli_export_and_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m bot export register FILE` and `import risks FILE` on a fresh database."""
    from bot.app import cli
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    get_settings.cache_clear()
    try:
        out = tmp_path / "register.xlsx"
        assert cli.main(["export", "register", str(out)]) == 0
        assert out.is_file()
        bad = tmp_path / "bad.csv"
        write_table(bad, STANDARD_FORM_ZH, [["长安区/无", "岗", "", "x", "岗位职责"]])
        assert cli.main(["import", "risks", str(bad)]) == 1
    finally:
        get_settings.cache_clear()


async def test_xlsx_export_takes_care_of_whoever_opens_it(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, tmp_path: Path
) -> None:
    """Bold frozen header, fitted widths, deadlines as dates, the approved level beside the
    suggested one, and a description written like a formula stays text."""
    from openpyxl import load_workbook

    async with sessionmaker() as session:
        risk = await session.scalar(
            select(RiskPoint).where(RiskPoint.description == "干预工程招投标")
        )
        assert risk is not None
        risk.description = '=HYPERLINK("http://x","点击")'
        risk.level, risk.status = 1, "approved"
        risk.measures[0].action = "+1+1"
        # 分级评审 raised the other one to 一级; 组织审定 has not decided yet.
        pending = await session.scalar(
            select(RiskPoint).where(RiskPoint.description == "审批中收受好处")
        )
        assert pending is not None
        pending.status = "org_approval"
        review = await session.get(RiskReview, pending.id)
        assert review is not None
        review.reviewed_level = 1
        await session.commit()
        out = tmp_path / "register.xlsx"
        await export_register(session, out)
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header == list(REGISTER_HEADER_ZH)
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    column = {name: index for index, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2))
    assert sheet.column_dimensions["D"].width >= 16  # the description column, fitted
    for row in rows:
        deadline = row[column["完成时限"]]
        assert deadline.data_type == "d" and deadline.number_format == "yyyy-mm-dd"
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
    approved = next(r for r in rows if r[column["风险点描述"]].value.startswith("=HYPERLINK"))
    assert approved[column["风险点描述"]].data_type == "s"
    assert approved[column["风险等级"]].value == "一级"
    assert approved[column["建议等级"]].value == "一级"
    assert approved[column["防控措施"]].value == "+1+1"
    pending = next(r for r in rows if r[column["风险点描述"]].value == "审批中收受好处")
    assert pending[column["风险等级"]].value is None  # not approved yet
    assert pending[column["建议等级"]].value == "二级"
    assert pending[column["评审等级"]].value == "一级"  # raised, and waiting for approval
    assert pending[column["状态"]].value == "组织审定中"
    assert approved[column["评审等级"]].value is None
    assert sheet.title == "廉政风险点登记表"


async def test_csv_export_guards_formulas_and_reads_them_back(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, tmp_path: Path
) -> None:
    async with sessionmaker() as session:
        risk = await session.scalar(
            select(RiskPoint).where(RiskPoint.description == "干预工程招投标")
        )
        assert risk is not None
        risk.description = "@SUM(A1:A9)"
        await session.commit()
        out = tmp_path / "register.csv"
        await export_register(session, out)
    text = out.read_text("utf-8-sig")
    assert "'@SUM(A1:A9)" in text
    assert ",@SUM" not in text
    from bot.services.register_files import RISK_COLUMNS
    from bot.services.tabular import read_table

    descriptions = [row.values["description"] for row in read_table(out, RISK_COLUMNS)]
    assert "@SUM(A1:A9)" in descriptions
