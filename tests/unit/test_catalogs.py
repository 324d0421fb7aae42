"""Both catalogs translate every key the code uses, with the same placeholders and valid HTML.

Keys are found by the very `pybabel extract` line `make i18n` runs (read from the Makefile;
the keywords are in pyproject.toml's `[tool.babel]`). A key the code uses that a catalog
lacks, or leaves untranslated, fails here; so does a new key built with an f-string, which
the extraction cannot see, and a catalog key the extraction does not find in the code.
"""

from __future__ import annotations

import ast
import contextlib
import re
import shlex
import string
import tempfile
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.app.catalogs import template_keys
from bot.domain.commands import COMMANDS
from bot.domain.errors import NotAllowed
from bot.domain.grading import FACTOR_KEYS, FACTORS, LEVEL_KEYS, LEVELS
from bot.domain.invitation_rules import REFUSAL_KEYS, InvitationState
from bot.domain.register_rules import DATE_REFUSAL_KEYS, QUICK_PICK_KEYS, TEXT_PROBLEM_KEYS
from bot.domain.risk_workflow import ILLEGAL_KEYS, STATE_KEYS, RiskState
from bot.domain.roles import ROLE_KEYS, Role
from bot.i18n import LANGUAGE_NAME_KEYS, LOCALES, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]

# Telegram's HTML: the tags a message may contain.
TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "tg-emoji", "code", "pre", "blockquote",
}  # fmt: skip
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")

# Message keys still built with f-strings, which the extraction cannot see: (file, the f-string).
# In modules arch-services / arch-handlers are rewriting; to be removed by them, or converted
# by the lead at merge (index the literal dicts in bot/domain: STATE_KEYS, ILLEGAL_KEYS,
# ROLE_KEYS, REFUSAL_KEYS, TEXT_PROBLEM_KEYS, DATE_REFUSAL_KEYS / `DateRefused.key`,
# QUICK_PICK_KEYS, FACTOR_KEYS, LANGUAGE_NAME_KEYS; or add one beside the enum).
KNOWN_FSTRING_KEYS: set[tuple[str, str]] = {
    ("bot/services/register_access.py", "f\"register.{key.rsplit('.', 1)[-1]}\""),
}


@cache
def catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def translations(locale: str) -> dict[str, str]:
    return {str(m.id): str(m.string or "") for m in catalog(locale) if m.id}


def make_i18n_extract(output: Path) -> list[str]:
    """The `pybabel extract` command of `make i18n`, writing its template to `output`."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith("\t$(BIN)/pybabel extract "):  # the recipe line
            argv = shlex.split(line.strip())
            argv[0] = "pybabel"  # $(BIN)/pybabel: this interpreter's Babel, run in-process
            argv[argv.index("-o") + 1] = str(output)
            return [argv[0], "--quiet", *argv[1:]]
    raise AssertionError("the Makefile's i18n target runs no `pybabel extract`")


@cache
def extracted_keys() -> dict[str, str]:
    """Key → first use, exactly as `make i18n` extracts them."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(ROOT):
        template = Path(folder) / "messages.pot"
        CommandLineInterface().run(make_i18n_extract(template))
        return template_keys(template)


def fstring_keys() -> set[tuple[str, str]]:
    """f-strings under bot/ and handlers/ that start like a key family of the catalogs."""
    families = {key.rsplit(".", 1)[0] + "." for key in translations("en")}
    families |= {key.rsplit("_", 1)[0] + "_" for key in translations("en") if "_" in key}
    found = set()
    for folder in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.JoinedStr) and node.values):
                    continue
                head = node.values[0]
                if (
                    isinstance(head, ast.Constant)
                    and re.fullmatch(r"[a-z_]+\.[a-z_.]*", str(head.value))
                    and any(str(head.value).startswith(family) for family in families)
                ):
                    found.add((path.relative_to(ROOT).as_posix(), ast.unparse(node)))
    return found


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


def test_the_extraction_finds_the_code_keys() -> None:
    """Guards the test itself: a broken extraction would make every other check vacuous."""
    keys = extracted_keys()
    assert len(keys) > 300
    for key in ("start.welcome_citizen", "fallback.unknown_text", "cli.missing_token"):
        assert key in keys
    assert keys["review.btn.approve"].startswith("handlers/")
    assert "commands.invite" in keys  # CommandSpec's second argument
    assert "import.bad_kind" in keys  # Problem's second argument
    assert "cli.admin_added" in keys  # say()
    assert NotAllowed().key in keys  # N_() on a default
    assert "workflow.state.draft" in keys  # N_() in a dict of literal keys


def test_the_domain_has_a_literal_key_for_every_value() -> None:
    """Keys chosen at run time come from these dicts: one missing would be a KeyError."""
    assert set(STATE_KEYS) == set(ILLEGAL_KEYS) == set(RiskState)
    assert set(ROLE_KEYS) == set(Role)
    assert set(REFUSAL_KEYS) == set(InvitationState) - {InvitationState.VALID}
    assert set(FACTOR_KEYS) == set(FACTORS) and set(LEVEL_KEYS) == set(LEVELS)
    assert set(LANGUAGE_NAME_KEYS) == set(LOCALES)
    assert TEXT_PROBLEM_KEYS and DATE_REFUSAL_KEYS and QUICK_PICK_KEYS
    assert all(spec.description_key in extracted_keys() for spec in COMMANDS)


def test_no_new_key_is_built_with_an_f_string() -> None:
    """Write the key out (`_("x.y")`), or pick it from a dict of literal `N_()` keys."""
    new = fstring_keys() - KNOWN_FSTRING_KEYS
    assert not new, f"f-string keys the extraction cannot see: {sorted(new)}"


def test_the_known_f_string_keys_are_still_there() -> None:
    """One converted: take it off KNOWN_FSTRING_KEYS, so the list only shrinks."""
    gone = KNOWN_FSTRING_KEYS - fstring_keys()
    assert not gone, sorted(gone)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_used_key_is_translated(locale: str) -> None:
    table = translations(locale)
    missing = [
        f"{key} (used in {where})"
        for key, where in sorted(extracted_keys().items())
        if not table.get(key, "").strip()
    ]
    assert not missing, f"untranslated in {locale}: run `make i18n` and fill in: {missing}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_key_is_seen_by_the_extraction(locale: str) -> None:
    """The other way round: `make i18n` must count 0 keys "not seen in code". A key only the
    catalog has is dead (delete it from both catalogs) or hidden from the extraction: a literal
    in a table, a default or a helper's argument (mark it `N_("…")` where it is written, or make
    the helper a keyword in pyproject's `[tool.babel]`), or a `_()` inside an f-string, which
    Babel cannot see before Python 3.12 (take the call out of the f-string)."""
    unseen = sorted(set(translations(locale)) - set(extracted_keys()))
    assert not unseen, f"{locale} keys the extraction does not see: {unseen}"


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


def test_english_counts_are_not_hedged_with_parenthesised_plurals() -> None:
    """ "1 measure(s) noted" reads like a form: a count is said as "Measures noted: 1"."""
    hedged = {key: text for key, text in translations("en").items() if "(s)" in text}
    assert hedged == {}
