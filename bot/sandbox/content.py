"""Validation of what the bot sends: formatted text, captions and reply markup."""

from __future__ import annotations

from typing import Any

from bot.sandbox.html_check import HtmlParseError, ParsedText, parse_html, plain_text, utf16_len
from bot.sandbox.params import Params, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes, UTF-8
INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
URL_SCHEMES = ("http://", "https://", "tg://")


def parse_formatted(params: Params, text_field: str, entities_field: str) -> ParsedText:
    """The text with its entities, from parse_mode (HTML is validated) or explicit entities.

    Markdown modes are passed through unparsed: the bot is expected to use HTML.
    """
    text = params.string(text_field) or ""
    mode = (params.string("parse_mode") or "").lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as e:
            raise bad_request(f"can't parse entities: {e}") from None
    entities = params.object(entities_field) if mode == "" else None
    if entities is not None and not isinstance(entities, list):
        raise bad_request(f"can't parse {entities_field} JSON object")
    return plain_text(text, entities)


def message_text(params: Params) -> ParsedText:
    parsed = parse_formatted(params, "text", "entities")
    if not parsed.text:
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def caption(params: Params) -> ParsedText:
    parsed = parse_formatted(params, "caption", "caption_entities")
    if utf16_len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return parsed


def text_fields(parsed: ParsedText, field: str) -> dict[str, Any]:
    """Message fields for a text or caption: entities only when there are some."""
    if not parsed.text:
        return {}
    body: dict[str, Any] = {field: parsed.text}
    if parsed.entities:
        body["entities" if field == "text" else "caption_entities"] = parsed.entities
    return body


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [k for k in INLINE_ACTIONS if button.get(k) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str) or not url.lower().startswith(URL_SCHEMES):
            raise bad_request("BUTTON_URL_INVALID")
    return {k: v for k, v in button.items() if v is not None}


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the {key} must be an Array of Array')
    return rows


def reply_markup(params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    """The reply_markup parameter, validated and normalised (None when absent)."""
    markup = params.object("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = [[_inline_button(b) for b in row] for row in _rows(markup, "inline_keyboard")]
        return {"inline_keyboard": rows}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        keyboard: list[list[Any]] = [
            [{"text": b} if isinstance(b, str) else b for b in row]
            for row in _rows(markup, "keyboard")
        ]
        for row in keyboard:
            for button in row:
                if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                    raise bad_request("keyboard button text must be non-empty")
        return {**markup, "keyboard": keyboard}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")
