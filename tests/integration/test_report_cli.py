"""`python -m bot report --year Y [--unit PATH] FILE`: a PDF or an XLSX by the file's suffix."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader


def test_cli_writes_the_pdf_and_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app import cli
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("DEFAULT_LOCALE", "zh")
    get_settings.cache_clear()
    try:
        units = tmp_path / "units.csv"
        units.write_text("单位,类型\n长安区,区\n长安区/卫生局,局\n", encoding="utf-8")
        assert cli.main(["import", "units", str(units)]) == 0
        pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
        assert cli.main(["report", "--year", "2026", str(pdf)]) == 0
        assert cli.main(["report", "--year", "2026", "--unit", "长安区/卫生局", str(xlsx)]) == 0
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1
        assert "长安区 廉政风险防控工作报告" in reader.pages[0].extract_text()
        book = load_workbook(xlsx)
        units_sheet = [r[0] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
        assert units_sheet == ["长安区/卫生局"]
        assert cli.main(["report", "--year", "2026", str(tmp_path / "r.docx")]) == 2
        assert cli.main(["report", "--year", "2026", "--unit", "长安区/无", str(pdf)]) == 2
        assert cli.main(["report", "--year", "2999", str(pdf)]) == 2
        err = capsys.readouterr().err
        assert "请使用 .pdf 或 .xlsx" in err and "2999" in err
    finally:
        get_settings.cache_clear()
