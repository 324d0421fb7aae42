"""A `# type: ignore` in the product says why, on its line: an ignore without a reason hides
the next real error at that spot too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def test_every_type_ignore_has_a_code_and_a_reason() -> None:
    bare = []
    for package in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found = IGNORE.search(line)
                if found and (not found["codes"] or "#" not in found["rest"]):
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert not bare, f"say why (… # type: ignore[code]  # reason): {bare}"
