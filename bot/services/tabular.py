"""Reading and writing tables as CSV or XLSX, with headers in Chinese or English.

Written files take care of the people who open them: an XLSX has a bold, frozen header and
columns wide enough for their content (Chinese counts double), dates are date cells, and every
text is a text cell — never a formula, whatever it starts with (openpyxl would otherwise turn
a string starting with ``=`` into one). A CSV cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets OWASP's leading
apostrophe, which reading the file back removes again.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# openpyxl (with numpy behind it) takes about a second to load: only a spreadsheet loads it.
if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# What makes a spreadsheet treat a cell as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
MAX_COLUMN_WIDTH = 60


# Control characters a cell may not hold (tab and line breaks are text in a cell).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Encodings a CSV is read in, tried in this order after the byte-order marks: UTF-8, then
# GB18030 (a superset of GBK and GB2312: what Chinese Excel and WPS save as "CSV").
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_FALLBACKS = ("utf-8", "gb18030")


class TableError(ValueError):
    """The file cannot be read as a table at all (missing, wrong format or encoding, empty).

    `key` and `values` are the catalog message saying so (the file's name among them)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(f"{key} {values}")
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Row:
    number: int  # as the person sees it in a spreadsheet: the header is row 1
    values: dict[str, str]
    # Columns whose cell holds a control character (NUL, ESC …): the importers refuse the row.
    control: tuple[str, ...] = ()


def read_table(path: Path, columns: Mapping[str, Sequence[str]]) -> list[Row]:
    """Every row of `path` at once (see `iter_table`)."""
    return list(iter_table(path, columns))


def iter_table(path: Path, columns: Mapping[str, Sequence[str]]) -> Iterator[Row]:
    """Rows of `path` keyed by canonical column names; `columns` maps each to accepted headers.

    Streamed: an XLSX is read row by row (openpyxl's read-only mode), so memory stays flat
    however long the file. A column whose headers are all absent is an error only if some row
    needs it; callers validate. Blank rows are skipped. A missing file, another format, an
    encoding that is none of UTF-8 (with or without BOM), GB18030/GBK and UTF-16 (with BOM),
    or an empty file is a `TableError` before the first row.
    """
    if not path.is_file():
        raise TableError("import.file_missing", file=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path)
    else:
        raise TableError("import.file_format", file=path.name)
    first = next(raw, None)
    if first is None:
        raise TableError("import.file_empty", file=path.name)
    header = [cell.strip().lower() for cell in first]
    positions: dict[str, int] = {}
    for name, aliases in columns.items():
        for alias in (name, *aliases):
            if alias.lower() in header:
                positions[name] = header.index(alias.lower())
                break
    return _rows(raw, positions)


def _rows(raw: Iterator[list[str]], positions: dict[str, int]) -> Iterator[Row]:
    for number, cells in enumerate(raw, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            name: (cells[index].strip() if index < len(cells) else "")
            for name, index in positions.items()
        }
        control = tuple(name for name, value in values.items() if CONTROL_RE.search(value))
        yield Row(number, values, control)


def decode(data: bytes, name: str) -> str:
    """The text of a CSV file's bytes, in whichever of the accepted encodings it is."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    else:
        for encoding in _FALLBACKS:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            # UTF-16 without its BOM decodes as "text" of every other character a NUL; a stray
            # NUL in a real text is left for the row checks to refuse.
            if not text or text.count("\x00") * 10 < len(text):
                return text
    raise TableError("import.file_encoding", file=name)


def _read_csv(path: Path) -> Iterator[list[str]]:
    text = decode(path.read_bytes(), path.name)
    return ([_unguard(cell) for cell in row] for row in csv.reader(io.StringIO(text)))


def csv_guard(text: str) -> str:
    """OWASP's defence: a leading apostrophe on a cell a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text


def _read_xlsx(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableError("import.file_unreadable", file=path.name) from exc
    return _xlsx_rows(workbook, sheet)


def _xlsx_rows(workbook: Any, sheet: Any) -> Iterator[list[str]]:
    try:
        for row in sheet.iter_rows(values_only=True):
            yield ["" if cell is None else _cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):  # openpyxl reads a date cell as a datetime: keep the day
        return value.date().isoformat()
    return str(value)


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
) -> None:
    """Write a CSV (UTF-8 with BOM, so Excel shows Chinese) or an XLSX by the file's suffix.

    Cells may be text, numbers, dates or None (blank); `title` names the XLSX sheet.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([csv_guard(name) for name in header])
            writer.writerows([_csv_cell(value) for value in row] for row in rows)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        if title:
            sheet.title = title[:31]  # Excel's limit
        write_sheet(sheet, header, rows)
        workbook.save(path)
    else:
        raise TableError("import.file_format", file=path.name)


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return csv_guard(value) if isinstance(value, str) else value


def write_sheet(sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Fill `sheet`: a bold frozen header, typed cells (text never a formula), fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths = [display_width(name) for name in header]
    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        _set_text(cell, name)
        cell.font = bold
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                _set_text(cell, value)
            elif isinstance(value, datetime | date):
                cell.value = value
                cell.number_format = DATE_FORMAT
                value = value.isoformat()
            elif value is not None:
                cell.value = value
            if column > len(widths):
                widths.append(0)
            widths[column - 1] = max(widths[column - 1], display_width(str(value or "")))
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)


def _set_text(cell: object, text: str) -> None:
    """A text cell, whatever the text: the type is set after the value, so "=1+1" stays text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)  # type: ignore[attr-defined]  # a Cell
    cell.data_type = "s"  # type: ignore[attr-defined]  # (openpyxl is imported lazily)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def truthy(text: str) -> bool | None:
    """是/否, yes/no, true/false, 1/0, blank → None; anything else is not a flag."""
    value = text.strip().lower()
    if value in ("",):
        return None
    if value in ("是", "y", "yes", "true", "1", "√", "✓"):
        return True
    if value in ("否", "n", "no", "false", "0", "×"):
        return False
    raise ValueError(text)
