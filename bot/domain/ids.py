"""Record ids as people and buttons send them: at most a 64-bit signed integer.

A database key never exceeds 2⁶³ − 1 (SQLite's and PostgreSQL's BIGINT), so a larger number is
no record at all; asking the database about it would raise `OverflowError`. Callback data and
typed arguments are read here, and anything else reads as "no such record".
"""

from __future__ import annotations

import re

ID_MAX = 2**63 - 1
ID_MIN = -(2**63)
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: "²".isdigit() is true, int("²") fails


def parse_id(text: str | None) -> int | None:
    """A typed id (`42`, `#42`, with spaces around), or None if it cannot be a record's."""
    value = (text or "").strip().removeprefix("#").strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= ID_MAX else None
