"""Text as Telegram measures it: length in UTF-16 code units of the parsed text, blank text, and
fitting a long HTML text into one message.

Telegram counts a message's length (4,096) and a caption's (1,024) in UTF-16 code units of the
text left after entity parsing: tags do not count, `&amp;` counts as one, an emoji as two. Input
limits count the text the person typed the same way, so a refusal quotes the number Telegram
would. Text made only of spaces and invisible characters (zero-width space, joiners, BOM, soft
hyphen: Unicode's "format" category) is blank.
"""

from __future__ import annotations

import html
import re
import unicodedata

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
# What a card may take, leaving room for a prefix line ("已退回。") put before it.
CARD_LIMIT = 3800

_TAG = re.compile(r"<[^<>]*>")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit."""
    return len(text.encode("utf-16-le")) // 2


def is_blank(text: str | None) -> bool:
    """Empty, or only whitespace and invisible (format) characters."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text or "")


def plain_text(markup: str) -> str:
    """The text Telegram shows for HTML `markup`: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


def visible_len(markup: str) -> int:
    """The length Telegram checks for an HTML message: UTF-16 units of its parsed text."""
    return utf16_len(plain_text(markup).strip())


def fit_html(markup: str, limit: int = MESSAGE_LIMIT, *, more: str = "…") -> tuple[str, bool]:
    """`markup` if it fits `limit`; else its first lines that fit, then the line `more`.

    Lines are kept whole (a card's tags open and close on one line), so the result is still
    valid HTML. Returns the text and whether anything was left out.
    """
    if visible_len(markup) <= limit:
        return markup, False
    room = limit - utf16_len(plain_text(more)) - 1
    kept: list[str] = []
    used = 0
    for line in markup.split("\n"):
        size = utf16_len(plain_text(line)) + (1 if kept else 0)
        if used + size > room:
            if not kept:  # one line longer than a message: its plain text, cut
                cut = plain_text(line)
                while utf16_len(cut) > room:
                    cut = cut[: -max(1, (utf16_len(cut) - room) // 2)]
                kept.append(html.escape(cut, quote=False))
            break
        kept.append(line)
        used += size
    return "\n".join([*kept, more]), True
