"""The report's XLSX workbook: one sheet per table, each with the care of `write_sheet`."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import Workbook

from bot.services.reports.document import Report
from bot.services.tabular import write_sheet

# Excel refuses these in a sheet's name, and names longer than 31 characters.
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def render_workbook(report: Report) -> bytes:
    """The report's sheets (totals, by unit, by level and type, overdue, feedback) as XLSX."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    used: set[str] = set()
    for table in report.sheets:
        name = _SHEET_NAME_BAD.sub("-", table.title)[:31] or "sheet"
        while name in used:
            name = name[:28] + f"~{len(used)}"
        used.add(name)
        write_sheet(workbook.create_sheet(name), table.header, table.rows)
    workbook.properties.title = report.title
    workbook.properties.creator = "Qingfeng 清风"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
