"""Organisation import from CSV / XLSX: validated first, all or nothing, idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.domain.roles import Role
from bot.services.org_import import ImportRejected, import_units
from bot.services.people_import import import_people
from bot.services.tabular import TableError, write_table
from storage.db import SessionMaker
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, Unit
from tests.kit.org import audit_count
from tests.kit.rows import count_rows
from tests.kit.uow import unit_of_work

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo"
UNIT_HEADER = ("单位", "类型", "试点", "岗位", "领导岗位")
PEOPLE_HEADER = ("姓名", "单位", "岗位", "角色", "telegram")
UNITS = [
    ("长安区/卫生局", "局", "是", "局长", "是"),
    ("长安区/卫生局/医政科", "科室", "", "医政审批岗", "否"),
    ("长安区/财政局/农业科", "", "", "惠农补贴发放岗", ""),
]


def table(
    tmp_path: Path, name: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> Path:
    path = tmp_path / name
    write_table(path, header, rows)
    return path


async def units_by_path(sessionmaker: SessionMaker) -> dict[str, Unit]:
    async with unit_of_work(sessionmaker) as session:
        return {u.path: u for u in (await session.scalars(select(Unit))).all()}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
async def test_units_with_ancestors_then_nothing_on_reimport(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path, suffix: str
) -> None:
    path = table(tmp_path, f"units.{suffix}", UNIT_HEADER, UNITS)
    async with unit_of_work(sessionmaker) as session:
        report = await import_units(session, clock, path)
    units = await units_by_path(sessionmaker)
    assert set(units) == {
        "长安区", "长安区/卫生局", "长安区/卫生局/医政科", "长安区/财政局", "长安区/财政局/农业科",
    }  # fmt: skip
    assert units["长安区"].kind == "district" and units["长安区"].parent_id is None
    assert units["长安区/卫生局"].is_pilot
    assert units["长安区/卫生局"].parent_id == units["长安区"].id
    assert units["长安区/财政局"].kind == "bureau"
    assert units["长安区/卫生局/医政科"].kind == "department"
    assert units["长安区/财政局/农业科"].parent_id == units["长安区/财政局"].id
    async with unit_of_work(sessionmaker) as session:
        leadership = {p.name: p.is_leadership for p in (await session.scalars(select(Post))).all()}
    assert leadership == {"局长": True, "医政审批岗": False, "惠农补贴发放岗": False}
    assert report.created == 8  # five units, three posts
    audit_rows = await audit_count(sessionmaker)
    assert audit_rows == await audit_count(sessionmaker, "unit.create") + await audit_count(
        sessionmaker, "post.create"
    ) + await audit_count(sessionmaker, "unit.update")
    assert await audit_count(sessionmaker, "unit.create") == 5

    async with unit_of_work(sessionmaker) as session:
        again = await import_units(session, clock, path)
    assert (again.created, again.updated) == (0, 0)
    assert await audit_count(sessionmaker) == audit_rows
    assert len(await units_by_path(sessionmaker)) == 5


async def test_the_demo_organisation_imports_twice_alike(
    sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    async with unit_of_work(sessionmaker) as session:
        await import_units(session, clock, DEMO / "units.csv")
        first = await import_people(session, clock, DEMO / "people.csv", ttl_days=14)
    audit_rows, people = await audit_count(sessionmaker), await count_rows(sessionmaker, Person)
    assert first.created == people == 10
    async with unit_of_work(sessionmaker) as session:
        await import_units(session, clock, DEMO / "units.csv")
        again = await import_people(session, clock, DEMO / "people.csv", ttl_days=14)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    assert await audit_count(sessionmaker) == audit_rows
    async with unit_of_work(sessionmaker) as session:
        admin = await session.scalar(select(Person).where(Person.telegram_id == 100001))
    assert admin is not None and admin.roles == {Role.ADMIN, Role.REVIEWER}


async def _with_units(sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path) -> None:
    async with unit_of_work(sessionmaker) as session:
        await import_units(session, clock, table(tmp_path, "units.csv", UNIT_HEADER, UNITS))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
async def test_people_are_bound_or_invited_once(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path, suffix: str
) -> None:
    await _with_units(sessionmaker, clock, tmp_path)
    rows = [
        ("王芳", "长安区/卫生局/医政科", "医政审批岗", "staff", 100005),
        ("孙局长", "长安区/卫生局", "局长", "leader,staff,reviewer", ""),
        ("郑强", "长安区/财政局/农业科", "", "staff", ""),
    ]
    path = table(tmp_path, f"people.{suffix}", PEOPLE_HEADER, rows)
    async with unit_of_work(sessionmaker) as session:
        report = await import_people(session, clock, path, ttl_days=7)
    assert report.created == 3
    assert sorted(i.name for i in report.invitations) == ["孙局长", "郑强"]
    async with unit_of_work(sessionmaker) as session:
        fang = await session.scalar(select(Person).where(Person.telegram_id == 100005))
        invited = (await session.scalars(select(Invitation).order_by(Invitation.id))).all()
    assert fang is not None and fang.name == "王芳" and fang.roles == {Role.STAFF}
    assert [i.roles for i in invited] == ["leader,staff,reviewer", "staff"]
    assert all(i.expires_at == clock.now() + timedelta(days=7) for i in invited)
    audit_rows = await audit_count(sessionmaker)

    async with unit_of_work(sessionmaker) as session:
        again = await import_people(session, clock, path, ttl_days=7)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.invitations == []
    assert await count_rows(sessionmaker, Invitation) == 2
    assert await audit_count(sessionmaker) == audit_rows


UNIT_PROBLEMS = [
    (("", "", "", "科长", ""), "import.unit_missing"),
    (("长安区/" + "长" * 201, "", "", "", ""), "import.too_long"),
    (("长安区/教育局", "ministry", "", "", ""), "import.bad_kind"),
    (("长安区/教育局", "", "maybe", "", ""), "import.bad_flag"),
    (("长安区/教育局", "", "", "岗" * 201, ""), "import.too_long"),
    (("长安区/教育局", "", "", "局长", "也许"), "import.bad_flag"),
]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
async def test_bad_unit_rows_are_reported_and_nothing_is_imported(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path, suffix: str
) -> None:
    good = ("长安区/卫生局", "局", "是", "局长", "是")
    rows = [good, *(row for row, _ in UNIT_PROBLEMS), good]
    path = table(tmp_path, f"units.{suffix}", UNIT_HEADER, rows)
    async with unit_of_work(sessionmaker) as session:
        with pytest.raises(ImportRejected) as rejected:
            await import_units(session, clock, path)
    found = [(p.row, p.key) for p in rejected.value.problems]
    # Row 1 is the header, row 2 the good row: the bad ones are rows 3, 4, ...
    assert found == [(index + 3, key) for index, (_, key) in enumerate(UNIT_PROBLEMS)]
    assert rejected.value.problems[2].values == {"value": "ministry"}
    assert await count_rows(sessionmaker, Unit) == 0
    assert await count_rows(sessionmaker, Post) == 0
    assert await audit_count(sessionmaker) == 0


PEOPLE_PROBLEMS = [
    (("", "长安区/卫生局", "局长", "staff", ""), "import.name_missing"),
    (("名" * 101, "长安区/卫生局", "局长", "staff", ""), "import.too_long"),
    (("张三", "长安区/卫生局", "局长", "", ""), "import.roles_missing"),
    (("张三", "长安区/卫生局", "局长", "staff,boss", ""), "import.bad_roles"),
    (("张三", "长安区/不存在局", "", "staff", ""), "import.unknown_unit"),
    (("张三", "长安区/卫生局", "不存在岗", "staff", ""), "import.unknown_post"),
    (("张三", "长安区/卫生局", "局长", "staff", "12ab"), "import.bad_telegram_id"),
    (("张三", "长安区/卫生局", "局长", "staff", "-5"), "import.bad_telegram_id"),
    (("李四", "长安区/卫生局", "局长", "staff", "700"), None),  # good, but its id repeats below
    (("王五", "长安区/卫生局", "局长", "staff", "700"), "import.duplicate_telegram_id"),
]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
async def test_bad_people_rows_are_reported_and_nothing_is_imported(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path, suffix: str
) -> None:
    await _with_units(sessionmaker, clock, tmp_path)
    audit_rows = await audit_count(sessionmaker)
    good = ("赵六", "长安区/卫生局/医政科", "医政审批岗", "staff", "")
    rows = [good, *(row for row, _ in PEOPLE_PROBLEMS)]
    path = table(tmp_path, f"people.{suffix}", PEOPLE_HEADER, rows)
    async with unit_of_work(sessionmaker) as session:
        with pytest.raises(ImportRejected) as rejected:
            await import_people(session, clock, path, ttl_days=7)
    found = [(p.row, p.key) for p in rejected.value.problems]
    expected = [(index + 3, key) for index, (_, key) in enumerate(PEOPLE_PROBLEMS) if key]
    assert found == expected
    duplicate = rejected.value.problems[-1]
    assert duplicate.values == {"value": "700", "other": len(PEOPLE_PROBLEMS) + 1}
    assert await count_rows(sessionmaker, Person) == 0
    assert await count_rows(sessionmaker, Invitation) == 0
    assert await audit_count(sessionmaker) == audit_rows


async def test_english_headers_and_blank_rows(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "unit,kind,pilot,post,leadership\n长安区／教育局,bureau,yes,Head,yes\n,,,,\n",
        encoding="utf-8",
    )
    async with unit_of_work(sessionmaker) as session:
        report = await import_units(session, clock, path)
    assert report.created == 3
    assert (await units_by_path(sessionmaker))["长安区/教育局"].is_pilot


@pytest.mark.parametrize(
    ("name", "content"), [("units.txt", b"a,b\n"), ("units.csv", b""), ("units.xlsx", b"not xlsx")]
)
async def test_unreadable_files_are_refused(
    sessionmaker: SessionMaker, clock: FakeClock, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    async with unit_of_work(sessionmaker) as session:
        with pytest.raises(TableError):
            await import_units(session, clock, path)
    assert await count_rows(sessionmaker, Unit) == 0
