"""`make i18n` only adds: a key the code uses arrives untranslated, nothing is dropped."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n_extract import extracted_keys, sync

CATALOG = (
    'msgid ""\nmsgstr ""\n\nmsgid "kept.used"\nmsgstr "用"\n\nmsgid "kept.dynamic"\nmsgstr "动"\n'
)


def test_sync_adds_missing_keys_untranslated_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    path.write_text(CATALOG, encoding="utf-8")
    added, unused = sync(path, "zh", {"kept.used": "x.py:1", "new.key": "y.py:2"})
    assert (added, unused) == (["new.key"], ["kept.dynamic"])
    with path.open("rb") as handle:
        catalog = {str(m.id): m.string for m in read_po(handle) if m.id}
    assert catalog == {"kept.used": "用", "kept.dynamic": "动", "new.key": ""}
    assert sync(path, "zh", {"kept.used": "x.py:1", "new.key": "y.py:2"})[0] == []


def test_the_extractor_finds_keys_in_calls_the_code_makes() -> None:
    keys = extracted_keys()
    assert "commands.campaign" in keys  # CommandSpec's second argument
    assert keys["review.btn.approve"].startswith("handlers/")
