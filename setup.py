"""The build's one extra step: the catalogs, compiled, go into the wheel as `bot/locales/`.

Everything else is declared in pyproject.toml. A checkout reads `locales/` at the project root
(and compiles it at start-up); an installed bot reads the compiled copy inside its package.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's locales/
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
            relative = po_path.relative_to(ROOT / "locales")
            target = Path(self.build_lib) / "bot" / "locales" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(po_path.read_bytes())
            locale = relative.parts[0]
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            with target.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
