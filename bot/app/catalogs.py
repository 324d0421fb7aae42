"""`make i18n`, second step: add the keys Babel extracted to both catalogs, untranslated.

The first step is Babel's standard extraction, `pybabel extract -F pyproject.toml` (the
keywords are in `[tool.babel]`), into a template. Every catalog key is now seen there (a literal
in a keyword call or marked `N_()`; tests/unit/test_catalogs.py keeps it so), so Babel's own
`pybabel update` would no longer drop keys; it is still not the second step, because it rewrites
each catalog in the template's order, so every entry moves (the house adds new keys in one block
at the end, and reviews read the diff).
So this step only adds, at the end, and counts the keys no longer seen: one nothing uses any
more, or one hidden from the extraction; a person deletes or marks it (the test fails till then).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES, LOCALES_DIR


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def template_keys(template: Path) -> dict[str, str]:
    """Key → the first place the code uses it (`file:line`), from a `pybabel extract` template."""
    with template.open("rb") as handle:
        catalog = read_po(handle)
    keys: dict[str, str] = {}
    for message in catalog:
        if message.id:
            where = message.locations[0] if message.locations else ("?", 0)
            keys[str(message.id)] = f"{where[0]}:{where[1]}"
    return keys


def add_missing(path: Path, locale: str, keys: dict[str, str]) -> tuple[list[str], list[str]]:
    """Append the keys `path` lacks, untranslated; return (added, present but not in `keys`).

    Entries already there keep their place, text, comments and flags; the file is rewritten
    only when something is added.
    """
    with path.open("rb") as handle:
        catalog: Catalog = read_po(handle, locale=locale)
    present = {str(message.id) for message in catalog if message.id}
    added = sorted(set(keys) - present)
    for key in added:
        catalog.add(key, "")
    if added:
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0)
    return added, sorted(present - set(keys))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.app.catalogs", description=__doc__)
    parser.add_argument("template", type=Path, help="the template `pybabel extract` wrote")
    parser.add_argument("--unused", action="store_true", help="list the keys not seen in code")
    args = parser.parse_args(argv)
    keys = template_keys(args.template)
    for locale in LOCALES:
        added, unused = add_missing(catalog_path(locale), locale, keys)
        print(f"{locale}: {len(added)} added (translate them), {len(unused)} not seen in code")
        for key in added:
            print(f"  + {key}  ({keys[key]})")
        if args.unused:
            print("".join(f"  ? {key}\n" for key in unused), end="")
    print("A key 'not seen in code' fails tests/unit/test_catalogs.py: mark it N_() where the")
    print("code writes it, or, if nothing uses it, delete it from both catalogs by hand.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
