"""What a report says, as plain data: titles and tables already in the reader's language.

The builder (`bot.services.reports.build`) fills it from the overview and the assessment; the
renderers (`pdf.py`, `workbook.py`) only lay it out, so each is tested on a hand-made report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Table:
    """A titled table; in the workbook its title is the sheet's name."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Relative column widths on the page (the PDF); None: equal.
    widths: tuple[float, ...] | None = None
    # Said under the table on the page when it had to be cut to fit ("… 12 more").
    more: str = ""


@dataclass(frozen=True)
class Report:
    """One report: the page's sections and the workbook's sheets."""

    title: str
    subtitle: str
    summary: str  # the seed-style sentence (全区共清理职权…)
    totals: Table
    by_unit: Table
    overdue: Table
    assessment: Table | None  # only once the year's assessment is confirmed
    chart_png: bytes | None
    chart_caption: str
    footer: str
    sheets: tuple[Table, ...] = field(default_factory=tuple)
