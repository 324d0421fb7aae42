"""Telegram's HTML parse_mode: validate a text and turn it into plain text plus entities.

Follows tdlib's parser closely (same error texts, byte offsets in UTF-8, entity offsets in
UTF-16 code units). One deliberate difference: a bare ``&`` that starts no known HTML entity
is an error here, while Telegram keeps it literally; a bot that escapes user text never sends
one, and treating it as an error catches unescaped text early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
ALL_TAGS = {*SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG_NAME = re.compile(r"[a-zA-Z0-9-]*")
ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
ATTR_NAME = re.compile(r"[a-zA-Z0-9_-]+")
UNQUOTED = re.compile(r"[^\s>]*")
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:", "ton://")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str() is Telegram's description after the colon."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    entity: dict[str, Any] | None
    start: int  # UTF-16 offset where the entity's text begins
    byte_offset: int


@dataclass
class ParsedText:
    """Plain text after parsing, with Telegram MessageEntity dicts."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _parse_attributes(source: str, pos: int, tag: str) -> tuple[dict[str, str], int]:
    """Read attributes up to the closing '>', returning them and the index after '>'."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(source, pos)}")
        if source[pos] == ">":
            return attrs, pos + 1
        if source[pos] == "/" and pos + 1 < n and source[pos + 1] == ">":
            # A self-closing form of a formatting tag would leave it unclosed.
            return attrs, pos + 2
        m = ATTR_NAME.match(source, pos)
        if not m:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, pos)}"
            )
        name = m.group(0).lower()
        pos = m.end()
        while pos < n and source[pos].isspace():
            pos += 1
        if pos < n and source[pos] != "=":
            attrs[name] = ""  # a valueless attribute, e.g. <blockquote expandable>
            continue
        if pos >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(source, pos)}")
        pos += 1
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise HtmlParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, pos)}'
            )
        if source[pos] in "'\"":
            quote = source[pos]
            end = source.find(quote, pos + 1)
            if end < 0:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, pos)}"
                )
            raw = source[pos + 1 : end]
            pos = end + 1
        else:
            m = UNQUOTED.match(source, pos)
            assert m is not None
            raw = m.group(0)
            pos = m.end()
        attrs[name] = _decode_entities(raw, source, pos)


def _decode_entities(raw: str, source: str, pos: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            char, length = _entity_at(raw, i, source, pos)
            out.append(char)
            i += length
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def _entity_at(text: str, index: int, source: str, source_index: int) -> tuple[str, int]:
    m = ENTITY.match(text, index)
    if m:
        body = m.group(1)
        if body.startswith(("#x", "#X")):
            code = int(body[2:], 16)
        elif body.startswith("#"):
            code = int(body[1:])
        else:
            named = NAMED_ENTITIES.get(body.lower())
            if named is None:
                raise HtmlParseError(
                    f'Unsupported HTML entity "&{body};" at byte offset '
                    f"{_byte_offset(source, source_index)}"
                )
            return named, m.end() - index
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), m.end() - index
    raise HtmlParseError(
        f'Unescaped "&" at byte offset {_byte_offset(source, source_index)}: use &amp;'
    )


def _entity_for(tag: str, attrs: dict[str, str], source: str, index: int) -> dict[str, Any] | None:
    if tag in SIMPLE_TAGS:
        return {"type": SIMPLE_TAGS[tag]}
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
        return {"type": "spoiler"}
    if tag == "a":
        url = attrs.get("href", "").strip()
        if url.startswith("tg://user?id="):
            return {"type": "text_link", "url": url}
        if url.lower().startswith(LINK_SCHEMES):
            return {"type": "text_link", "url": url}
        return None  # Telegram drops links it can't use but keeps their text
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise HtmlParseError(
                f'Custom emoji identifier expected in the tag "tg-emoji" at byte offset '
                f"{_byte_offset(source, index)}"
            )
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    raise AssertionError(tag)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raise HtmlParseError with Telegram's wording when it is invalid."""
    out: list[str] = []
    length = 0  # UTF-16 length of out so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            char, used = _entity_at(source, i, source, i)
            out.append(char)
            length += utf16_len(char)
            i += used
            continue
        if ch != "<":
            j = i
            while j < n and source[j] not in "<&":
                j += 1
            chunk = source[i:j]
            out.append(chunk)
            length += utf16_len(chunk)
            i = j
            continue
        tag_start = i
        if i + 1 < n and source[i + 1] == "/":
            m = TAG_NAME.match(source, i + 2)
            assert m is not None
            name = m.group(0).lower()
            j = m.end()
            while j < n and source[j].isspace():
                j += 1
            if j >= n or source[j] != ">":
                raise HtmlParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, tag_start)}"
                )
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, tag_start)}"
                )
            top = stack[-1]
            if name != top.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, tag_start)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            stack.pop()
            if top.entity is not None and length > top.start:
                closed = {**top.entity, "offset": top.start, "length": length - top.start}
                _attach(closed, entities, stack)
            i = j + 1
            continue
        m = TAG_NAME.match(source, i + 1)
        assert m is not None
        name = m.group(0).lower()
        if name not in ALL_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, tag_start)}'
            )
        attrs, i = _parse_attributes(source, m.end(), name)
        if source[i - 2 : i] == "/>":
            continue  # an empty element carries no text, hence no entity
        entity = _entity_for(name, attrs, source, tag_start)
        if name == "code" and stack and stack[-1].name == "pre" and entity is not None:
            # <pre><code class="language-x"> is one pre entity with a language.
            lang = attrs.get("class", "")
            if lang.startswith("language-") and stack[-1].entity is not None:
                stack[-1].entity["language"] = lang.removeprefix("language-")
            entity = None
        stack.append(_Open(name, entity, length, _byte_offset(source, tag_start)))
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[0].name}"')
    text = "".join(out)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return _strip(text, entities)


def _attach(entity: dict[str, Any], entities: list[dict[str, Any]], stack: list[_Open]) -> None:
    # Telegram allows nothing inside code and pre: inner formatting is dropped.
    if any(o.name in ("code", "pre") for o in stack) and entity["type"] not in ("pre",):
        return
    entities.append(entity)


def _strip(text: str, entities: list[dict[str, Any]]) -> ParsedText:
    """Trim surrounding whitespace like Telegram, moving and clipping entities."""
    stripped = text.strip()
    if not stripped:
        return ParsedText("", [])
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, result)


def plain_text(text: str, entities: list[dict[str, Any]] | None = None) -> ParsedText:
    """Text sent without parse_mode: trimmed like Telegram, explicit entities kept."""
    return _strip(text, list(entities or []))
