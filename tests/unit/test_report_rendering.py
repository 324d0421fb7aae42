"""The report's renderers on a hand-made report: one A4 page whose text extracts exactly
(Chinese included), tables cut to fit; a workbook whose sheets hold typed cells."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader

from bot.sandbox.files import tiny_png
from bot.services.reports.document import Report, Table
from bot.services.reports.pdf import render_pdf
from bot.services.reports.workbook import render_workbook


def sample(units: int = 5, overdue: int = 3, chart: bytes | None = None) -> Report:
    totals = Table(
        "合计",
        ("项目", "数量"),
        (
            ("职权", 1425),
            ("对外行使", 1232),
            ("内部管理", 193),
            ("廉政风险点", 2351),
            ("一级", 683),
        ),
    )
    by_unit = Table(
        "各单位",
        ("单位", "职权", "风险点", "逾期措施"),
        tuple((f"长安区/单位{i}", i, i * 2, i % 3) for i in range(units)),
        widths=(3, 1, 1, 1),
        more="… 另有 {count} 个单位",
    )
    late = Table(
        "逾期措施",
        ("单位", "措施", "责任人", "完成时限"),
        tuple(
            (
                "卫生局",
                '=HYPERLINK("x")' if i == 0 else f"措施{i}" * 30,
                "王芳",
                date(2026, 1, 1 + i % 28),
            )
            for i in range(overdue)
        ),
        more="… 另有 {count} 项",
    )
    return Report(
        title="长安区 廉政风险防控报告 2026年度",
        subtitle="范围：长安区 · 截至 2026-12-01",
        summary="全区共清理职权1425项，其中对外行使职权1232项，内部管理职权193项。",
        totals=totals,
        by_unit=by_unit,
        overdue=late,
        assessment=Table("年度考核", ("名次", "单位", "得分"), ((1, "卫生局", 92.5),)),
        chart_png=chart,
        chart_caption="各单位风险点等级",
        footer="清风 · 生成于 2026-12-01 10:00",
        sheets=(totals, by_unit, late),
    )


def text_of(data: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(data))
    return len(reader.pages), reader.pages[0].extract_text()


def test_pdf_is_one_a4_page_with_the_chinese_text() -> None:
    data = render_pdf(sample(chart=tiny_png(400, 250)))
    assert data.startswith(b"%PDF")
    pages, text = text_of(data)
    assert pages == 1
    box = PdfReader(BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    for expected in (
        "长安区 廉政风险防控报告 2026年度",
        "对外行使",
        "1232",
        "年度考核",
        "卫生局",
        "92.5",
        "2026-01-01",
        "=HYPERLINK",
    ):
        assert expected in text, expected


def test_a_long_report_still_fits_one_page_and_says_what_was_left_out() -> None:
    pages, text = text_of(render_pdf(sample(units=80, overdue=40)))
    assert pages == 1
    assert "另有" in text
    assert "长安区/单位0" in text


def test_workbook_has_a_sheet_per_table_with_typed_cells() -> None:
    book = load_workbook(BytesIO(render_workbook(sample(units=3, overdue=2))))
    assert book.sheetnames == ["合计", "各单位", "逾期措施"]
    totals = book["合计"]
    assert [c.value for c in totals[1]] == ["项目", "数量"]
    assert totals["B2"].value == 1425 and totals["B2"].data_type == "n"
    late = book["逾期措施"]
    assert late["B2"].value == '=HYPERLINK("x")' and late["B2"].data_type == "s"
    assert late["D2"].data_type == "d"
    assert late.freeze_panes == "A2"
