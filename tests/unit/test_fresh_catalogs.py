"""A fresh checkout has only the `.po` files: the bot's i18n compiles them before aiogram's
`I18n` looks for them (it refuses a catalog without its `.mo`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import i18n


def test_i18n_starts_from_catalogs_never_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for locale in i18n.LOCALES:
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(i18n.LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po", folder)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n._catalogs.cache_clear()
    i18n.get_i18n.cache_clear()
    try:
        assert sorted(i18n.get_i18n().locales) == sorted(i18n.LOCALES)
        assert i18n.translate("language.name_zh", "zh") != "language.name_zh"
    finally:
        i18n._catalogs.cache_clear()
        i18n.get_i18n.cache_clear()
