"""Both catalogs translate every key the code uses, with the same placeholders and valid HTML.

Keys are found the way `make i18n` finds them (`bot/i18n_extract.py`), plus the
families the code builds at run time. A key added without both translations fails here.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot import i18n_extract as extract
from bot.domain.commands import COMMANDS
from bot.domain.errors import NotAllowed
from bot.domain.invitation_rules import InvitationState
from bot.domain.roles import Role
from bot.i18n import LOCALES, LOCALES_DIR

# Telegram's HTML: the tags a message may contain.
TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "tg-emoji", "code", "pre", "blockquote",
}  # fmt: skip
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")


@cache
def catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def translations(locale: str) -> dict[str, str]:
    return {str(m.id): str(m.string or "") for m in catalog(locale) if m.id}


extracted_keys = cache(extract.extracted_keys)


def dynamic_keys() -> dict[str, str]:
    """Keys the code builds from values (f-strings Babel cannot see)."""
    keys = {f"roles.{role.value}": "bot/domain/roles.py" for role in Role}
    keys |= {f"language.name_{locale}": "handlers/common/language.py" for locale in LOCALES}
    keys |= {
        f"invite.code_{state.value}": "bot/services/invitations.py"
        for state in InvitationState
        if state is not InvitationState.VALID
    }
    keys |= {spec.description_key: "bot/domain/commands.py" for spec in COMMANDS}
    keys[NotAllowed().key] = "bot/domain/errors.py"
    return keys


def used_keys() -> dict[str, str]:
    return extracted_keys() | dynamic_keys()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def html_problems(text: str) -> list[str]:
    problems, open_tags = [], []
    for match in TAG.finditer(text):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in TELEGRAM_TAGS:
            problems.append(f"<{name}> is not a Telegram tag")
        elif not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            problems.append(f"</{name}> closes nothing open")
    problems += [f"<{name}> is never closed" for name in open_tags]
    return problems


def test_the_extractor_finds_the_code_keys() -> None:
    """Guards the test itself: a broken extraction would make every other check vacuous."""
    keys = extracted_keys()
    assert len(keys) > 30
    for key in ("start.welcome_citizen", "fallback.unknown_text", "cli.missing_token"):
        assert key in keys
    assert "commands.invite" in keys  # CommandSpec's second argument
    assert "import.bad_kind" in keys  # Problem's second argument


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_key_is_translated(locale: str) -> None:
    table = translations(locale)
    missing = [
        f"{key} (used in {where})"
        for key, where in sorted(used_keys().items())
        if not table.get(key, "").strip()
    ]
    assert not missing, f"untranslated in {locale}: run `make i18n` and fill in: {missing}"


def test_both_catalogs_have_the_same_keys() -> None:
    zh, en = set(translations("zh")), set(translations("en"))
    assert not zh - en, f"only in zh: {sorted(zh - en)}"
    assert not en - zh, f"only in en: {sorted(en - zh)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_key_is_left_empty_or_fuzzy(locale: str) -> None:
    empty = [key for key, text in translations(locale).items() if not text.strip()]
    fuzzy = [str(m.id) for m in catalog(locale) if m.id and m.fuzzy]
    assert not empty, f"empty in {locale}: {empty}"
    assert not fuzzy, f"fuzzy in {locale}: {fuzzy}"


def test_placeholders_agree() -> None:
    zh, en = translations("zh"), translations("en")
    differing = [
        f"{key}: zh {sorted(placeholders(zh[key]))} en {sorted(placeholders(en[key]))}"
        for key in sorted(set(zh) & set(en))
        if placeholders(zh[key]) != placeholders(en[key])
    ]
    assert not differing, differing


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_formats(locale: str) -> None:
    """A stray brace breaks `.format()` at run time; catch it here instead."""
    broken = []
    for key, text in translations(locale).items():
        try:
            text.format(**dict.fromkeys(placeholders(text), "x"))
        except (ValueError, IndexError, KeyError) as error:
            broken.append(f"{key}: {error}")
    assert not broken, broken


@pytest.mark.parametrize("locale", LOCALES)
def test_html_is_balanced(locale: str) -> None:
    bad = {key: html_problems(text) for key, text in translations(locale).items()}
    bad = {key: problems for key, problems in bad.items() if problems}
    assert not bad, bad


def test_html_check_catches_mistakes() -> None:
    assert html_problems("<b>ok</b> <i>fine</i> <code>x</code>") == []
    assert html_problems("<b>open") == ["<b> is never closed"]
    assert html_problems("<b><i>x</b></i>") != []
    assert html_problems("<div>x</div>") != []


def test_the_catalog_files_exist() -> None:
    for locale in LOCALES:
        assert Path(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").is_file()
