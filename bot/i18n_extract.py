"""`make i18n`: add the message keys the code uses to both catalogs, untranslated.

Only adds. Some keys are built at run time (`f"review.kind.{kind}"`), so the extractor cannot
see them; Babel's `update --ignore-obsolete` would delete those, which is why this is ours.
Keys no longer found in the code are listed for a person to judge, never removed.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES, LOCALES_DIR
from bot.settings import PROJECT_ROOT

# Calls whose string argument is a message key (`Problem:2` = its second argument).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "__": None,
    "N_": None,  # a key chosen at run time, marked where it is written
    "translate": None,
    "say": None,
    "ServiceError": None,
    "NotAllowed": None,
    "Problem": (2,),
    "CommandSpec": (2,),
}
SOURCE_DIRS = ("bot", "handlers")


def extracted_keys() -> dict[str, str]:
    """Key → first place it is used, as Babel sees the code."""
    found: dict[str, str] = {}
    # Babel prints a line for every f-string key family (by design, see above): hush it.
    with contextlib.redirect_stderr(io.StringIO()):
        for folder in SOURCE_DIRS:
            for filename, lineno, message, _comments, _context in extract_from_dir(
                str(PROJECT_ROOT / folder),
                method_map=[("**.py", "python")],
                keywords=KEYWORDS,
                comment_tags=(),
            ):
                for key in message if isinstance(message, tuple) else (message,):
                    if key:
                        found.setdefault(str(key), f"{folder}/{filename}:{lineno}")
    return found


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def sync(path: Path, locale: str, keys: dict[str, str]) -> tuple[list[str], list[str]]:
    """Add the missing keys to one catalog; return (added, unused)."""
    with path.open("rb") as handle:
        catalog: Catalog = read_po(handle, locale=locale)
    present = {str(m.id) for m in catalog if m.id}
    added = sorted(set(keys) - present)
    for key in added:
        catalog.add(key, "")
    if added:
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0)
    return added, sorted(present - set(keys))


def main() -> None:
    keys = extracted_keys()
    for locale in LOCALES:
        added, unused = sync(catalog_path(locale), locale, keys)
        print(f"{locale}: {len(added)} added (translate them), {len(unused)} not seen in code")
        for key in added:
            print(f"  + {key}  ({keys[key]})")
    print("Keys 'not seen in code' are mostly built at run time; remove one only by hand.")


if __name__ == "__main__":
    main()
