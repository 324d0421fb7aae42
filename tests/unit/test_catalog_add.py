"""`make i18n` only adds: a key the code uses arrives untranslated, nothing moves or is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.app.catalogs import add_missing, catalog_path, template_keys
from bot.i18n import LOCALES

CATALOG = (
    'msgid ""\nmsgstr ""\n\n'
    '#. a translator\'s note\nmsgid "kept.used"\nmsgstr "用"\n\n'
    'msgid "kept.dynamic"\nmsgstr "动"\n'
)
TEMPLATE = (
    'msgid ""\nmsgstr ""\n\n#: bot/x.py:3 handlers/y.py:9\nmsgid "kept.used"\nmsgstr ""\n\n'
    '#: handlers/z.py:12\nmsgid "new.key"\nmsgstr ""\n'
)


def test_missing_keys_are_added_at_the_end_untranslated_and_the_rest_stays(
    tmp_path: Path,
) -> None:
    path = tmp_path / "messages.po"
    path.write_text(CATALOG, encoding="utf-8")
    added, unused = add_missing(path, "zh", {"kept.used": "x.py:1", "new.key": "y.py:2"})
    assert (added, unused) == (["new.key"], ["kept.dynamic"])
    text = path.read_text(encoding="utf-8")
    assert text.index("kept.used") < text.index("kept.dynamic") < text.index("new.key")
    assert "#. a translator's note" in text
    with path.open("rb") as handle:
        catalog = {str(m.id): m.string for m in read_po(handle) if m.id}
    assert catalog == {"kept.used": "用", "kept.dynamic": "动", "new.key": ""}


@pytest.mark.parametrize("locale", LOCALES)
def test_on_our_catalogs_adding_only_appends(tmp_path: Path, locale: str) -> None:
    """Byte for byte: the catalog as it is, then the new entry (what a reviewer sees)."""
    path = tmp_path / "messages.po"
    before = catalog_path(locale).read_text(encoding="utf-8")
    path.write_text(before, encoding="utf-8")
    keys = dict.fromkeys(add_missing(path, locale, {})[1], "x.py:1") | {"zz.new": "x.py:2"}
    assert add_missing(path, locale, keys) == (["zz.new"], [])
    assert path.read_text(encoding="utf-8") == before + 'msgid "zz.new"\nmsgstr ""\n\n'


def test_nothing_to_add_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    path.write_text(CATALOG, encoding="utf-8")
    assert add_missing(path, "zh", {"kept.used": "x.py:1"}) == ([], ["kept.dynamic"])
    assert path.read_text(encoding="utf-8") == CATALOG


def test_the_template_gives_each_key_its_first_use(tmp_path: Path) -> None:
    path = tmp_path / "messages.pot"
    path.write_text(TEMPLATE, encoding="utf-8")
    assert template_keys(path) == {"kept.used": "bot/x.py:3", "new.key": "handlers/z.py:12"}
