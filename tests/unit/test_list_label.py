"""The shared short label of list buttons."""

from __future__ import annotations

from handlers.ui.labels import LIST_LABEL_MAX, list_label


def test_a_long_description_is_cut_to_one_short_line() -> None:
    text = "现场核验时接受宴请，并在验收报告中隐瞒发现的质量问题和安全隐患\n第二行不该出现在按钮上"
    shown = list_label(12, text)
    assert shown.startswith("#12 现场核验时接受宴请")
    assert shown.endswith("…") and len(shown) == LIST_LABEL_MAX
    assert "\n" not in shown and "第二行" not in shown


def test_a_short_text_is_kept_whole_and_spaces_squeezed() -> None:
    assert list_label(3, "  收费时   不开票据 ") == "#3 收费时 不开票据"


def test_no_id_and_no_text() -> None:
    assert list_label(None, "窗口受理") == "窗口受理"
    assert list_label(7, None) == "#7"
    assert list_label(7, "") == "#7"
