"""Text measured as Telegram measures it, blank text, fitting a long card into one message."""

from __future__ import annotations

import pytest

from bot.domain import feedback as fb
from bot.domain.errors import ServiceError
from bot.domain.ids import parse_id
from bot.domain.register_rules import DESCRIPTION_MAX, TextProblem, TextRefused, clean_text
from bot.domain.text_length import MESSAGE_LIMIT, fit_html, is_blank, utf16_len, visible_len
from bot.services import broadcast

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def test_utf16_counts_an_emoji_as_two_and_chinese_as_one() -> None:
    assert utf16_len("😀") == 2
    assert utf16_len("风险") == 2
    assert visible_len("<b>&amp;</b>&lt;") == 2  # after entity parsing


@pytest.mark.parametrize("text", ["", "   ", ZERO_WIDTH, f" {ZERO_WIDTH}\n\u3000 "])
def test_zero_width_only_is_blank_and_refused_as_empty(text: str) -> None:
    assert is_blank(text)
    with pytest.raises(TextRefused) as refused:
        clean_text(text, DESCRIPTION_MAX)
    assert refused.value.problem is TextProblem.EMPTY
    with pytest.raises(ServiceError, match=r"broadcast\.need_text"):
        broadcast.check_text(text)
    with pytest.raises(ServiceError, match=r"feedback\.reason_required"):
        fb.check_reason(text)
    assert fb.clean_text(text) == ""


def test_a_word_with_a_zero_width_joiner_is_not_blank() -> None:
    assert not is_blank("风\u200d险")
    assert clean_text("风\u200d险", 10) == "风\u200d险"


def test_limits_count_utf16_units_of_the_typed_text() -> None:
    assert clean_text("&" * DESCRIPTION_MAX, DESCRIPTION_MAX)  # `&` is one unit, not `&amp;`
    with pytest.raises(TextRefused):
        clean_text("😀" * (DESCRIPTION_MAX // 2 + 1), DESCRIPTION_MAX)


def test_a_broadcast_is_checked_as_telegram_counts_it() -> None:
    """2,100 emoji are 4,200 units: refused here, not at send. 1,000 `&` are 1,000 units."""
    with pytest.raises(ServiceError) as refused:
        broadcast.check_text("😀" * 2100)
    assert refused.value.values == {"limit": MESSAGE_LIMIT, "length": 4200}
    assert broadcast.check_text("&" * 1000) == "&amp;" * 1000
    assert broadcast.check_text("&" * MESSAGE_LIMIT)


def test_fit_keeps_a_short_text_and_cuts_a_long_one_at_a_line() -> None:
    short = "<b>标题</b>\n内容"
    assert fit_html(short) == (short, False)
    lines = ["<b>卡片</b>"] + [f"措施{i}：" + "很" * 500 for i in range(12)]
    text, cut = fit_html("\n".join(lines), more="……（全文见文件）")
    assert cut and visible_len(text) <= MESSAGE_LIMIT
    assert text.startswith("<b>卡片</b>\n措施0：") and text.endswith("……（全文见文件）")
    assert all(line in lines for line in text.split("\n")[:-1])  # whole lines only


def test_fit_cuts_one_line_longer_than_a_message() -> None:
    text, cut = fit_html("&lt;" * 5000, 100)
    assert cut and visible_len(text) <= 100 and text.startswith("&lt;")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("42", 42), (" #42 ", 42), (str(2**31 - 1), 2**31 - 1), (str(2**31), None),
     ("9" * 300, None), ("²", None), ("-1", None), ("4 2", None), ("", None), (None, None)],
)  # fmt: skip
def test_parse_id_reads_only_what_a_record_could_have(typed: str | None, expected: int) -> None:
    assert parse_id(typed) == expected
