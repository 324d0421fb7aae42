"""Reading and writing tables as CSV or XLSX, with headers in Chinese or English."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook


class TableError(ValueError):
    """The file cannot be read as a table at all (wrong format, missing columns)."""


@dataclass(frozen=True)
class Row:
    number: int  # as the person sees it in a spreadsheet: the header is row 1
    values: dict[str, str]


def read_table(path: Path, columns: Mapping[str, Sequence[str]]) -> list[Row]:
    """Rows of `path` keyed by canonical column names; `columns` maps each to accepted headers.

    A column whose headers are all absent is an error only if some row needs it; callers
    validate. Blank rows are skipped.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path)
    else:
        raise TableError(f"{path.name}: use a .csv or .xlsx file")
    if not raw:
        raise TableError(f"{path.name}: the file is empty")
    header = [cell.strip().lower() for cell in raw[0]]
    positions: dict[str, int] = {}
    for name, aliases in columns.items():
        for alias in (name, *aliases):
            if alias.lower() in header:
                positions[name] = header.index(alias.lower())
                break
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            name: (cells[index].strip() if index < len(cells) else "")
            for name, index in positions.items()
        }
        rows.append(Row(number, values))
    return rows


def _read_csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")  # Excel writes a BOM
    return [row for row in csv.reader(io.StringIO(text))]


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableError(f"{path.name}: not a readable XLSX file ({exc})") from exc
    sheet = workbook.worksheets[0]
    rows = [
        ["" if cell is None else _cell_text(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return rows


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()  # type: ignore[union-attr]
    return str(value)


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV (UTF-8 with BOM, so Excel shows Chinese) or an XLSX by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    elif suffix == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        workbook.save(path)
    else:
        raise TableError(f"{path.name}: use a .csv or .xlsx file")


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
