"""The register import means what the bot means: levels by the bot's rule (focus floor, an
approved level other than the suggestion only with its reason), the configured focus
programmes, the bot's measure cap, a risk's identity including its power, imported records
standing in the workflow with their state's records, unit-specific categories from a file,
powers exported, per-kind totals, and a Telegram id never handed to someone else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.clock import FakeClock
from bot.domain.risk_workflow import RiskState
from bot.services import review
from bot.services.import_checks import ImportRejected
from bot.services.org_import import PEOPLE_HEADER, UNIT_HEADER, import_units
from bot.services.people_import import import_people
from bot.services.register_files import (
    POWER_HEADER_ZH,
    REGISTER_HEADER_ZH,
    export_powers,
    import_categories,
    import_powers,
    import_risks,
)
from bot.services.tabular import write_table
from bot.settings import Settings
from storage.db import SessionMaker
from storage.models.org import Person
from storage.models.register import ControlMeasure, RiskPoint
from storage.models.review import RiskReview
from tests.kit.register import People, make_people
from tests.kit.uow import unit_of_work

TODAY = date(2026, 11, 26)
UNIT, POST = "长安区/卫生局/医政科", "医政审批岗"
COLUMNS = {name: index for index, name in enumerate(REGISTER_HEADER_ZH)}


def risk_row(description: str, **cells: str) -> list[str]:
    """A register row of 医政审批岗: factors 3 (二级), state 已提交, one measure, unless given."""
    row = [""] * len(REGISTER_HEADER_ZH)
    values = {"单位": UNIT, "岗位": POST, "风险点描述": description, "风险类型": "岗位职责",
              "防控措施": "双人复核", "责任人": "王芳", "完成时限": "2026-12-31", "状态": "已提交",
              **dict.fromkeys(("权力重要程度", "自由裁量权", "社会关注度", "发生概率", "危害程度"),
                              "3")} | {k: v for k, v in cells.items()}  # fmt: skip
    for name, value in values.items():
        row[COLUMNS[name]] = value
    return row


def write(tmp_path: Path, name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    path = tmp_path / name
    write_table(path, header, rows)
    return path


@pytest.fixture
async def org(sessionmaker: SessionMaker, clock: FakeClock) -> People:
    return await make_people(sessionmaker, clock)


async def rejected(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, path: Path
) -> list[tuple[int, str, dict[str, object]]]:
    with pytest.raises(ImportRejected) as caught:
        async with unit_of_work(sessionmaker) as session:
            await import_risks(session, clock, path, today=TODAY, settings=settings)
    async with unit_of_work(sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(RiskPoint)) == 0
    return [(p.row, p.key, p.values) for p in caught.value.problems]


async def test_levels_are_the_rules_and_an_other_approved_level_needs_its_reason(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, org: People, tmp_path: Path
) -> None:
    ones = dict.fromkeys(("权力重要程度", "自由裁量权", "社会关注度", "发生概率", "危害程度"), "1")
    fives = dict.fromkeys(ones, "5")
    twos = dict.fromkeys(ones, "2")
    bad = write(tmp_path, "bad.csv", REGISTER_HEADER_ZH, [
        risk_row("一级却因素全为1", 风险等级="一级", 状态="已审定", **ones),
        risk_row("只有三项因素", 权力重要程度="", 自由裁量权=""),
    ])  # fmt: skip
    assert await rejected(sessionmaker, clock, settings, bad) == [
        (2, "import.level_reason_required", {"given": "一级", "level": "三级"}),
        (3, "import.factors_incomplete", {}),
    ]
    good = write(tmp_path, "good.csv", REGISTER_HEADER_ZH, [
        risk_row("一级有理由", 风险等级="一级", 状态="已审定", 定级理由="涉及资金巨大", **ones),
        risk_row("五项全为5未定级", **fives),
        risk_row("惠民项目至少二级", 重点项目="农村低保", **twos),
        risk_row("建议等级写错", 建议等级="一级", **twos),
    ])  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        report = await import_risks(session, clock, good, today=TODAY, settings=settings)
    assert report.created == 4
    assert [(n.row, n.key) for n in report.notes] == [(5, "import.level_disagrees")]
    async with unit_of_work(sessionmaker) as session:
        risks = {r.description: r for r in await session.scalars(select(RiskPoint))}
        reason = await session.scalar(
            select(RiskReview.level_reason).where(RiskReview.risk_id == risks["一级有理由"].id)
        )
    assert (risks["一级有理由"].level, risks["一级有理由"].suggested_level) == (1, 3)
    assert reason == "涉及资金巨大"
    assert risks["五项全为5未定级"].suggested_level == 1
    assert risks["惠民项目至少二级"].suggested_level == 2  # the focus floor
    assert risks["建议等级写错"].suggested_level == 3


async def test_focus_names_measure_cap_and_duplicates_are_refused_by_row(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, org: People, tmp_path: Path
) -> None:
    many = [risk_row("措施太多", 防控措施=f"措施{n}") for n in range(21)]
    path = write(tmp_path, "bad.csv", REGISTER_HEADER_ZH, [
        risk_row("测试", 重点项目="测试惠民项目"),
        risk_row("重复"),
        risk_row("别的"),
        risk_row("重复"),
        *many,
        risk_row("名字\x00里有NUL"),
    ])  # fmt: skip
    assert await rejected(sessionmaker, clock, settings, path) == [
        (2, "import.unknown_focus", {"value": "测试惠民项目"}),
        (5, "import.duplicate_risk", {"other": 3}),
        (26, "import.measures_too_many", {"limit": 20}),
        (27, "import.control_character", {"column": "description"}),
    ]


async def test_a_risks_identity_includes_its_power(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, org: People, tmp_path: Path
) -> None:
    powers = write(tmp_path, "powers.csv", POWER_HEADER_ZH, [
        [UNIT, POST, "执业许可", "", "", "", "行政许可/审批", "对外", "已确认"],
        [UNIT, POST, "校验", "", "", "", "行政确认", "对外", "已确认"],
    ])  # fmt: skip
    risks = write(tmp_path, "risks.csv", REGISTER_HEADER_ZH, [
        risk_row("收受好处", 职权="执业许可"),
        risk_row("收受好处", 职权="校验"),
    ])  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        assert (await import_powers(session, clock, powers)).created == 2
        report = await import_risks(session, clock, risks, today=TODAY, settings=settings)
        assert (report.created, report.unchanged) == (2, 0)
        again = await import_risks(session, clock, risks, today=TODAY, settings=settings)
        assert (again.created, again.unchanged) == (0, 2)


async def test_imported_records_stand_in_the_workflow(
    sessionmaker: SessionMaker, clock: FakeClock, settings: Settings, org: People, tmp_path: Path
) -> None:
    path = write(tmp_path, "risks.csv", REGISTER_HEADER_ZH, [
        risk_row("已公示的", 状态="已公示"),
        risk_row("已审定的", 状态="已审定"),
        risk_row("社会评议中的", 状态="社会评议中"),
        risk_row("已提交的"),
    ])  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        await import_risks(session, clock, path, today=TODAY, settings=settings)
    config = review.ReviewConfig.from_settings(settings)
    async with unit_of_work(sessionmaker) as session:
        ids = {r.description: r.id for r in await session.scalars(select(RiskPoint))}
        reviews = {r.risk_id: r for r in await session.scalars(select(RiskReview))}
        assert ids["已提交的"] not in reviews  # routed by the safety-net scan, as declared ones
        assert reviews[ids["已审定的"]].final_level == 2
        social = reviews[ids["社会评议中的"]]
        assert social.social_closes_at == clock.now() + timedelta(days=settings.social_review_days)
        assert await review.mark_regrading_due(session, clock, config) == []
        assert await review.open_submitted(session, clock, config) == [ids["已提交的"]]
        routed = await session.get(RiskPoint, ids["已提交的"])
        assert routed is not None and routed.status != RiskState.SUBMITTED.value
    clock.advance(timedelta(days=settings.regrading_period_days, seconds=1))
    async with unit_of_work(sessionmaker) as session:
        assert await review.mark_regrading_due(session, clock, config) == [ids["已公示的"]]


async def test_unit_categories_from_a_file_then_powers_exported(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, tmp_path: Path
) -> None:
    power = [UNIT, POST, "审理案件", "", "", "", "审判权", "对外", "已确认"]
    powers = write(tmp_path, "powers.csv", POWER_HEADER_ZH, [power])
    with pytest.raises(ImportRejected) as caught:
        async with unit_of_work(sessionmaker) as session:
            await import_powers(session, clock, powers)
    assert [p.key for p in caught.value.problems] == ["import.bad_category"]
    categories = write(tmp_path, "categories.csv", ("单位", "范围", "类别"), [
        [UNIT, "对外", "审判权"], [UNIT, "对外", "执行权"],
    ])  # fmt: skip
    out = tmp_path / "out.csv"
    async with unit_of_work(sessionmaker) as session:
        assert (await import_categories(session, clock, categories)).created == 1
        assert (await import_categories(session, clock, categories)).unchanged == 1
        assert (await import_powers(session, clock, powers)).created == 1
        assert await export_powers(session, out) == 1
    assert out.read_text("utf-8-sig").splitlines()[1].split(",") == power


async def test_units_are_counted_once_per_kind(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path
) -> None:
    path = write(tmp_path, "units.csv", UNIT_HEADER, [
        ["长安区/卫生局", "局", "是", "局长", "是"],
        ["长安区/卫生局/医政科", "科室", "", "医政审批岗", "否"],
        ["长安区/卫生局/医政科", "科室", "", "医政复核岗", "否"],
    ])  # fmt: skip
    async with unit_of_work(sessionmaker) as session:
        first = await import_units(session, clock, path)
        again = await import_units(session, clock, path)
    tally = {kind: (t.created, t.updated, t.unchanged) for kind, t in first.tallies.items()}
    assert tally == {"units": (3, 0, 0), "posts": (3, 0, 0)}
    tally = {kind: (t.created, t.updated, t.unchanged) for kind, t in again.tallies.items()}
    assert tally == {"units": (0, 0, 3), "posts": (0, 0, 3)}


async def test_a_telegram_id_of_someone_else_is_refused(
    sessionmaker: SessionMaker, clock: FakeClock, org: People, tmp_path: Path
) -> None:
    path = write(tmp_path, "people.csv", PEOPLE_HEADER, [
        ["王芳", UNIT, POST, "staff", str(org.staff)],
        ["李四", "长安区/财政局", "会计岗", "reviewer", str(org.outsider)],
    ])  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        async with unit_of_work(sessionmaker) as session:
            await import_people(session, clock, path, ttl_days=30)
    assert [(p.row, p.key, p.values) for p in caught.value.problems] == [
        (3, "import.telegram_id_taken", {"value": str(org.outsider), "name": "赵敏"})
    ]
    async with unit_of_work(sessionmaker) as session:
        outsider = await session.get(Person, org.outsider_id)
        assert outsider is not None and outsider.name == "赵敏"
        assert "reviewer" not in {a.role for a in outsider.role_assignments}
        count = await session.scalar(select(func.count()).select_from(ControlMeasure))
        assert count == 0
