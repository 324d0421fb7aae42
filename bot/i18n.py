"""Translations: gettext catalogs under `locales/`, message ids are dotted keys.

Handlers use aiogram's context `gettext` (`_`); code that writes to someone else (notices,
reminders) renders in the recipient's language with `translate(key, locale, **values)`.
Keys are literals, so `make i18n` (Babel's extraction) finds them; a key chosen at run time
comes from a dict of literal keys marked with `N_` (see `bot.domain.keys`).
"""

from __future__ import annotations

import gettext
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.domain.keys import N_ as N_  # re-exported: the marker for every layer
from bot.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from aiogram.utils.i18n import I18n

# A checkout's catalogs at its root; an installed bot's inside the package (compiled at build).
_CHECKOUT_LOCALES = PROJECT_ROOT / "locales"
_PACKAGED_LOCALES = Path(__file__).resolve().parent / "locales"
LOCALES_DIR: Path = _CHECKOUT_LOCALES if _CHECKOUT_LOCALES.is_dir() else _PACKAGED_LOCALES
DOMAIN = "messages"
LOCALES: tuple[str, ...] = ("zh", "en")
DEFAULT_LOCALE = "zh"
# Each language by its own name, for the language picker.
LANGUAGE_NAME_KEYS: dict[str, str] = {"zh": N_("language.name_zh"), "en": N_("language.name_en")}


def compile_catalogs() -> None:
    """Compile every `.po` whose `.mo` is missing or older: a checkout's first start after a
    catalog changed (an installed bot's were compiled at build). Babel loads only then."""
    for locale in LOCALES:
        po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and (
            not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
        ):
            continue
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        # A name of this process's own: parallel processes (the test workers, replicas
        # starting together) each write theirs and swap it in; none reads half a file.
        tmp_path = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        try:
            with tmp_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        except OSError:
            if mo_path.exists():
                continue  # installed read-only: the build's compiled copy serves
            raise
        tmp_path.replace(mo_path)  # atomic


@lru_cache(maxsize=1)
def _catalogs() -> dict[str, gettext.GNUTranslations]:
    """Each language's compiled catalog, read once (they are static data)."""
    compile_catalogs()
    catalogs = {}
    for locale in LOCALES:
        mo_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        with mo_path.open("rb") as mo_file:
            catalogs[locale] = gettext.GNUTranslations(mo_file)
    return catalogs


@lru_cache(maxsize=1)
def get_i18n() -> I18n:
    """The process-wide catalogs for aiogram's i18n middleware (the same ones `translate`
    reads; aiogram is imported here, so that the CLI's commands start without it)."""
    from aiogram.utils.i18n import I18n

    catalogs = _catalogs()  # compiles first: I18n refuses a catalog without its `.mo`
    i18n = I18n(path=LOCALES_DIR, default_locale=DEFAULT_LOCALE, domain=DOMAIN)
    i18n.locales = dict(catalogs)
    return i18n


def translate(key: str, locale: str | None, /, **values: Any) -> str:
    """The text of `key` in `locale`, with `{placeholders}` filled (escape HTML before)."""
    catalog = _catalogs().get(locale or DEFAULT_LOCALE)
    text = catalog.gettext(key) if catalog is not None else key
    return text.format(**values) if values else text


def locale_from_telegram(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """zh for any `zh*` code, en for any other code, the default when Telegram says nothing."""
    if not language_code:
        return default
    return "zh" if language_code.lower().startswith("zh") else "en"


def resolve_locale(
    chosen: str | None, language_code: str | None, default: str = DEFAULT_LOCALE
) -> str:
    """A person's explicit choice wins over what their Telegram app says."""
    if chosen in LOCALES:
        return chosen
    return locale_from_telegram(language_code, default)
