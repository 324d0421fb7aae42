"""The overview's chart: Chinese labels in the packaged font with no glyph missing (matplotlib's
warning is an error here), the image's size, and that it is not blank; in both languages."""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np
import pytest
from matplotlib.image import imread

from bot.services.stats import chart
from bot.services.stats.chart import DPI, HEIGHT_IN, WIDTH_IN, cjk_font, render_chart
from storage.db import SessionMaker
from tests.integration.test_overview import district, seed_shaped


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_drawn(data: bytes) -> None:
    assert png_size(data) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    pixels = imread(io.BytesIO(data))[..., :3]
    not_white = (pixels < 0.95).any(axis=2).mean()
    assert not_white > 0.05  # bars and labels, not an empty canvas
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 10  # the level colours and text


async def test_chart_renders_every_glyph_from_the_packaged_font(
    sessionmaker: SessionMaker,
) -> None:
    await seed_shaped(sessionmaker)
    ov = await district(sessionmaker)
    assert "Noto Sans" in cjk_font().get_name()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" fails the test
        for locale in ("zh", "en"):
            assert_drawn(render_chart(ov, None, locale))
        bureau = ov.children(None)[3]
        assert_drawn(render_chart(ov, bureau.unit_id, "zh"))
        department = ov.children(bureau.unit_id)[0]
        assert_drawn(render_chart(ov, department.unit_id, "zh"))  # no units under it


async def test_a_missing_glyph_would_fail(sessionmaker: SessionMaker) -> None:
    """The check above can fail: a label the font lacks (an emoji) raises the warning."""
    from matplotlib.figure import Figure

    figure = Figure()
    figure.text(0.5, 0.5, "\U0001fae0", fontproperties=cjk_font())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            figure.savefig(io.BytesIO(), format="png")
        except UserWarning as warning:
            assert "missing from font" in str(warning)
        else:
            raise AssertionError("matplotlib drew a glyph the font does not have")


async def test_many_units_are_summarised_into_one_bar(
    sessionmaker: SessionMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_shaped(sessionmaker)
    ov = await district(sessionmaker)
    monkeypatch.setattr(chart, "UNITS_DRAWN", 5)
    bars = chart._bars(ov, None, "zh")
    assert len(bars) == 5 and bars[-1][0] == "其余 10 个单位"
    assert sum(sum(levels) for _, levels, _ in bars) == 2351
    assert_drawn(render_chart(ov, None, "zh"))


async def test_an_empty_scope_says_so_in_words_instead_of_blank_axes(
    sessionmaker: SessionMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    ov = await district(sessionmaker)  # no unit, no risk point
    assert not chart.has_data(ov, None)
    said: list[str] = []
    draw_empty = chart._draw_empty

    def spy(figure: object, title: str, locale: str, font: object) -> None:
        said.append(locale)
        draw_empty(figure, title, locale, font)

    monkeypatch.setattr(chart, "_draw_empty", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for locale in ("zh", "en"):
            data = render_chart(ov, None, locale)
            assert png_size(data) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
    assert said == ["zh", "en"]


async def test_a_scope_with_risks_has_data(sessionmaker: SessionMaker) -> None:
    await seed_shaped(sessionmaker)
    assert chart.has_data(await district(sessionmaker), None)
