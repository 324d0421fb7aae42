"""Which language a person is answered in."""

from __future__ import annotations

import pytest

from bot.delivery.outbox import person_locale
from bot.i18n import locale_from_telegram, resolve_locale, translate
from bot.settings import Settings
from storage.models.org import Person


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-Hant-TW", "zh"),
        ("ZH-CN", "zh"),
        ("en", "en"),
        ("en-US", "en"),
        ("ru", "en"),
        ("de", "en"),
        (None, "zh"),
        ("", "zh"),
    ],
)
def test_locale_from_telegram(code: str | None, expected: str) -> None:
    assert locale_from_telegram(code) == expected


def test_locale_from_telegram_default_when_silent() -> None:
    assert locale_from_telegram(None, "en") == "en"
    assert locale_from_telegram("zh-hans", "en") == "zh"


@pytest.mark.parametrize(
    ("chosen", "code", "default", "expected"),
    [
        ("en", "zh-hans", "zh", "en"),  # an explicit choice wins
        ("zh", "en", "en", "zh"),
        (None, "en-GB", "zh", "en"),
        (None, "zh-hans", "en", "zh"),
        (None, None, "en", "en"),
        (None, None, "zh", "zh"),
        ("fr", "en", "zh", "en"),  # a stale or unknown choice is ignored
        ("", None, "en", "en"),
    ],
)
def test_resolve_locale(chosen: str | None, code: str | None, default: str, expected: str) -> None:
    assert resolve_locale(chosen, code, default) == expected


def test_translate_fills_placeholders_per_language() -> None:
    assert translate("import.bad_row", "en", row=3, reason="x") == "Row 3: x"
    assert "3" in translate("import.bad_row", "zh", row=3, reason="x")
    assert translate("cancel.done", None) == translate("cancel.done", "zh")


@pytest.mark.parametrize(
    ("chosen", "app", "expected"),
    [
        (None, None, "zh"),  # nothing known: the default
        (None, "en", "en"),  # never chose: their Telegram app's language
        ("zh", "en", "zh"),  # an explicit /language choice wins
        ("en", "zh", "en"),
    ],
)
def test_notices_follow_the_same_order_as_replies(
    chosen: str | None, app: str | None, expected: str
) -> None:
    person = Person(name="x", language=chosen, telegram_locale=app)
    assert person_locale(person, Settings()) == expected
