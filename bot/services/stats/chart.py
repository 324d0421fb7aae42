"""The overview's chart: risk points by level per unit, and coverage of posts, as a PNG.

Rendered with matplotlib's object API (no pyplot, no global state, safe in a worker thread)
in Noto Sans SC, a CJK font shipped inside a PyPI package (`pylopdf-fonts-zh-cn`), so Chinese
labels render the same on a fresh machine without any system font. A missing glyph is a
matplotlib warning, which the tests turn into an error.
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.i18n import N_, translate
from bot.services.stats.overview import Overview, UnitRow
from bot.services.stats.render import figures_of

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

UNITS_DRAWN = 16  # more units than this: the largest, and the rest as one bar
WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 100  # 1000 x 600 pixels
BAR = 0.4  # half a bar's height, in rows
LEVEL_COLOURS = ("#c0392b", "#e67e22", "#f1c40f")  # 一级, 二级, 三级
COVERAGE_COLOUR = "#2e86c1"


@cache
def cjk_font() -> FontProperties:
    """Noto Sans SC from the package, registered with matplotlib once per process."""
    # matplotlib is imported on first use: the bot starts without paying for it.
    import pylopdf_fonts_zh_cn
    from matplotlib.font_manager import FontProperties, fontManager

    path = pylopdf_fonts_zh_cn.sans_path()
    fontManager.addfont(str(path))
    return FontProperties(fname=str(path))


def _bars(
    ov: Overview, unit_id: int | None, locale: str
) -> list[tuple[str, tuple[int, ...], float]]:
    """(label, (一级, 二级, 三级), coverage) per unit under `unit_id`; the unit itself when
    it has none under it."""
    rows: list[UnitRow] = ov.children(unit_id)
    if not rows and unit_id is not None:
        row = ov.row(unit_id)
        rows = [row] if row is not None else []
    bars: list[tuple[str, tuple[int, ...], float]] = [
        (r.name, r.subtree.risks_by_level, r.subtree.coverage or 0.0)
        for r in sorted(rows, key=lambda r: r.path)
    ]
    if len(bars) > UNITS_DRAWN:
        bars.sort(key=lambda b: -sum(b[1]))
        kept, rest = bars[: UNITS_DRAWN - 1], bars[UNITS_DRAWN - 1 :]
        levels = tuple(sum(b[1][i] for b in rest) for i in range(3))
        coverage = sum(b[2] for b in rest) / len(rest)
        bars = [*kept, (translate("chart.others", locale, n=len(rest)), levels, coverage)]
    if not bars:
        figures = figures_of(ov, unit_id)
        bars = [
            (translate("chart.total", locale), figures.risks_by_level, figures.coverage or 0.0)
        ]
    return bars


def _unit_name(ov: Overview, unit_id: int | None, locale: str) -> str:
    """The unit in the title, as plain text (an image needs no HTML escaping)."""
    shown = unit_id if unit_id is not None else (ov.roots[0] if len(ov.roots) == 1 else None)
    row = ov.row(shown) if shown is not None else None
    return (
        row.path if row is not None else translate("overview.all_units", locale, n=len(ov.roots))
    )


def has_data(ov: Overview, unit_id: int | None) -> bool:
    """Whether the chart of `unit_id` would draw any bar (any risk point in scope)."""
    return any(sum(counts) for _, counts, _ in _bars(ov, unit_id, "zh"))


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    # Fast zlib level: a chart is mostly flat colour, so the file stays small anyway.
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _draw_empty(figure: Any, title: str, locale: str, font: Any) -> None:
    """No risk point in scope: the title and a sentence saying so, instead of blank axes."""
    figure.suptitle(title, fontproperties=font)
    figure.text(
        0.5, 0.5, translate("chart.empty", locale), ha="center", va="center",
        fontproperties=font, fontsize=14,
    )  # fmt: skip


def _stacked_bars(ax: Any, positions: list[int], rows: list[tuple[int, ...]]) -> float:
    """The levels' stacked bars as one collection per level (a few artists, not a rectangle
    each); returns the longest bar's length."""
    from matplotlib.collections import PolyCollection

    left = [0] * len(rows)
    for level in range(3):
        boxes = []
        for i, (y, counts) in enumerate(zip(positions, rows, strict=True)):
            x0, x1 = left[i], left[i] + counts[level]
            boxes.append(((x0, y - BAR), (x1, y - BAR), (x1, y + BAR), (x0, y + BAR)))
            left[i] = x1
        ax.add_collection(PolyCollection(boxes, facecolors=LEVEL_COLOURS[level], linewidths=0))
    return max(left, default=0)


def render_chart(ov: Overview, unit_id: int | None, locale: str) -> bytes:
    """The chart of the units under `unit_id` (None: the scope's top) as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, MaxNLocator

    font = cjk_font()
    title = translate(
        "chart.title", locale, unit=_unit_name(ov, unit_id, locale), date=ov.today.isoformat()
    )
    bars = _bars(ov, unit_id, locale)  # once: each call scans the overview's units
    if not any(sum(counts) for _, counts, _ in bars):
        empty = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        FigureCanvasAgg(empty)
        _draw_empty(empty, title, locale, font)
        return _png(empty)
    labels = [label for label, _, _ in bars]
    positions = list(range(len(bars)))[::-1]  # first unit at the top
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    levels_ax, coverage_ax = figure.subplots(1, 2, width_ratios=(3, 2))
    longest = _stacked_bars(levels_ax, positions, [counts for _, counts, _ in bars])
    levels_ax.set_xlim(0, max(longest, 1) * 1.04)
    levels_ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    coverage_ax.barh(positions, [c * 100 for _, _, c in bars], color=COVERAGE_COLOUR)
    coverage_ax.set_xlim(0, 100)
    coverage_ax.xaxis.set_major_locator(FixedLocator([0, 50, 100]))
    for ax in (levels_ax, coverage_ax):  # the same rows on both sides
        ax.set_ylim(-0.6, len(bars) - 0.4)
    levels_ax.set_yticks(positions, labels, fontproperties=font)
    coverage_ax.set_yticks([])  # the names once, on the left
    levels_ax.legend(
        handles=[
            Patch(color=colour, label=translate(key, locale))
            for colour, key in zip(
                LEVEL_COLOURS,
                (N_("chart.level1"), N_("chart.level2"), N_("chart.level3")),
                strict=True,
            )
        ],
        prop=font,
        loc="lower right",
    )
    # A title at a fixed height: matplotlib otherwise measures the axes' ticks to place it.
    levels_ax.set_title(translate("chart.risks_title", locale), fontproperties=font, y=1.0)
    coverage_ax.set_title(translate("chart.coverage_title", locale), fontproperties=font, y=1.0)
    for position, (_, _, share) in zip(positions, bars, strict=True):
        coverage_ax.text(
            min(share * 100 + 1, 88), position, f"{share * 100:.0f}%", va="center", fontsize=8
        )
    figure.suptitle(title, fontproperties=font)
    # Fixed margins, not tight_layout (which draws the figure twice): room for unit names.
    figure.subplots_adjust(left=0.16, right=0.98, top=0.88, bottom=0.08, wspace=0.06)
    return _png(figure)
