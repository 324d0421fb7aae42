"""The one-page PDF (A4 portrait) of a report, set with fpdf2 in the packaged CJK font.

Layout, top to bottom: title and subtitle; the seed-style sentence; the totals table with the
chart beside it; units; the most overdue measures; the assessment when it is confirmed; a
footer. Tables never break the page: a table gets the rows that fit and says how many were
left out (the workbook has them all). Cell text too long for its column is cut with "…".
"""

from __future__ import annotations

import logging
from datetime import date
from io import BytesIO

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.services.reports.document import Cell, Report, Table
from bot.services.reports.fonts import cjk_font_path

MARGIN = 12.0
PAGE_W, PAGE_H = 210.0, 297.0
CONTENT_W = PAGE_W - 2 * MARGIN
FOOTER_H = 6.0
ROW_H = 4.8
CHART_W = 98.0
CHART_H = 62.0
FONT = "cjk"
INK = (33, 37, 41)
ACCENT = (20, 83, 45)  # 清风 green
HEAD_FILL = (226, 239, 230)
# fontTools narrates every subset at INFO (hundreds of glyph names): not news for our log.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes: always exactly one page."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(cjk_font_path()))
    pdf.set_title(report.title)
    pdf.set_creator("Qingfeng 清风")
    pdf.add_page()
    pdf.set_text_color(*INK)

    pdf.set_font(FONT, size=16)
    pdf.set_text_color(*ACCENT)
    pdf.cell(CONTENT_W, 9, _fit(pdf, report.title, CONTENT_W), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=8.5)
    pdf.cell(
        CONTENT_W, 5, _fit(pdf, report.subtitle, CONTENT_W), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(1.5)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(CONTENT_W, 4.6, report.summary, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)

    # Totals on the left, the chart on the right.
    top = pdf.get_y()
    left_w = CONTENT_W - CHART_W - 4
    _table(pdf, _fold(report.totals), x=MARGIN, width=left_w, bottom=bottom_of_page())
    after_totals = pdf.get_y()
    _chart(pdf, report, x=MARGIN + left_w + 4, y=top)
    pdf.set_y(max(after_totals, top + CHART_H + 6) + 2)

    bottom = PAGE_H - MARGIN - FOOTER_H
    sections = [report.by_unit, report.overdue]
    if report.assessment is not None:
        sections.append(report.assessment)
    for index, table in enumerate(sections):
        # Leave each later section at least its title, header and three rows.
        reserve = sum(_min_height(t) for t in sections[index + 1 :])
        _table(pdf, table, x=MARGIN, width=CONTENT_W, bottom=bottom - reserve)
        pdf.ln(2)

    pdf.set_font(FONT, size=7)
    pdf.set_xy(MARGIN, PAGE_H - MARGIN - FOOTER_H + 1)
    pdf.cell(CONTENT_W, 4, _fit(pdf, report.footer, CONTENT_W), align="C")
    return bytes(pdf.output())


def bottom_of_page() -> float:
    return PAGE_H - MARGIN - FOOTER_H


def _fold(table: Table) -> Table:
    """A long two-column table (item, count) as four columns: the left half, the right half."""
    if len(table.header) != 2 or len(table.rows) < 8:
        return table
    half = (len(table.rows) + 1) // 2
    left, right = table.rows[:half], table.rows[half:]
    rows = tuple((*a, *(right[i] if i < len(right) else ("", None))) for i, a in enumerate(left))
    return Table(table.title, (*table.header, *table.header), rows, widths=(2.4, 1, 2.4, 1))


def _min_height(table: Table) -> float:
    return 6 + ROW_H * (1 + min(3, len(table.rows))) + (4 if table.more or table.rows else 0)


def _table(pdf: FPDF, table: Table, *, x: float, width: float, bottom: float) -> None:
    """Title, header and as many rows as fit above `bottom`; then what was left out."""
    pdf.set_xy(x, pdf.get_y())
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(width, 6, _fit(pdf, table.title, width), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    columns = _widths(table, width)
    pdf.set_font(FONT, size=7.5)
    pdf.set_fill_color(*HEAD_FILL)
    _row(pdf, x, columns, table.header, fill=True)
    room = max(0, int((bottom - pdf.get_y() - 4) / ROW_H))
    shown = table.rows[:room]
    for values in shown:
        _row(pdf, x, columns, values)
    left_out = len(table.rows) - len(shown)
    note = _more(table.more, left_out) if left_out else ""
    if not table.rows:
        note = "—"
    if note:
        pdf.set_font(FONT, size=7)
        pdf.set_x(x)
        pdf.cell(width, 4, _fit(pdf, note, width), new_x=XPos.LEFT, new_y=YPos.NEXT)


def _more(template: str, count: int) -> str:
    # The builder passes a translated template with a {count} slot ("… 另有 {count} 项").
    return template.format(count=count) if "{count}" in template else f"… +{count}"


def _widths(table: Table, width: float) -> list[float]:
    weights = table.widths or tuple(1.0 for _ in table.header)
    total = sum(weights)
    return [width * w / total for w in weights]


def _row(
    pdf: FPDF, x: float, columns: list[float], values: tuple[Cell, ...], *, fill: bool = False
) -> None:
    pdf.set_x(x)
    for width, value in zip(columns, values, strict=False):
        text = _text(value)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        pdf.cell(width, ROW_H, _fit(pdf, text, width - 1.5), border=1, fill=fill,
                 align="R" if numeric else "L")  # fmt: skip
    pdf.ln(ROW_H)


def _chart(pdf: FPDF, report: Report, *, x: float, y: float) -> None:
    pdf.set_xy(x, y)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(CHART_W, 6, _fit(pdf, report.chart_caption, CHART_W))
    pdf.set_text_color(*INK)
    if report.chart_png:
        pdf.image(
            BytesIO(report.chart_png), x=x, y=y + 6, w=CHART_W, h=CHART_H, keep_aspect_ratio=True
        )
    else:
        pdf.set_draw_color(190, 190, 190)
        pdf.rect(x, y + 6, CHART_W, CHART_H)
        pdf.set_draw_color(0, 0, 0)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut with "…" to fit `width` at the current font size."""
    text = " ".join(text[:400].split())  # a cell shows a line at most: never measure more
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"
