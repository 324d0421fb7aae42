"""Telegram's HTML subset: what parses, into which entities, and the errors it raises."""

from __future__ import annotations

import pytest

from bot.sandbox.html_check import HtmlParseError, parse_html


def entities(source: str) -> list[tuple[str, int, int]]:
    return [(e["type"], e["offset"], e["length"]) for e in parse_html(source).entities]


def test_all_supported_tags() -> None:
    source = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><code>c</code><pre>p</pre>'
        "<blockquote>q</blockquote><blockquote expandable>x</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><a href="https://a.b">a</a>'
    )
    types = [t for t, _, _ in entities(source)]
    assert types == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
        "text_link",
    ]


def test_nesting_offsets_in_utf16_and_trimming() -> None:
    parsed = parse_html("  <b>粗<i>😀斜</i></b> 尾 ")
    assert parsed.text == "粗😀斜 尾"
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == [
        ("bold", 0, 4),
        ("italic", 1, 3),  # the emoji is two UTF-16 units
    ]


def test_entities_and_case() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#20013;&#x6587;").text == '<>&"中文'
    assert parse_html("<B>x</B>").entities[0]["type"] == "bold"


def test_pre_with_language() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 8, "language": "python"}]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("中<p>", 'Unsupported start tag "p" at byte offset 3'),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag"),
        ("x & y", 'Unescaped "&"'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ('<a href="x>y', "Unclosed start tag"),
    ],
)
def test_errors(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError, match=message.replace("(", r"\(")):
        parse_html(source)


def test_link_without_usable_url_keeps_text() -> None:
    parsed = parse_html('<a href="javascript:alert(1)">x</a>')
    assert parsed.text == "x" and parsed.entities == []
