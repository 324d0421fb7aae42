"""Record ids as people and buttons send them: at most a 32-bit signed integer.

Record keys are INTEGER columns, which PostgreSQL keeps in 32 bits (asyncpg refuses a larger
parameter; SQLite would raise `OverflowError` past 64 bits), so a larger number is no record
at all and is never sent to the database. Callback data and
typed arguments are read here, and anything else reads as "no such record".
"""

from __future__ import annotations

import re

ID_MAX = 2**31 - 1
ID_MIN = -(2**31)
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: "²".isdigit() is true, int("²") fails


def parse_id(text: str | None) -> int | None:
    """A typed id (`42`, `#42`, with spaces around), or None if it cannot be a record's."""
    value = (text or "").strip().removeprefix("#").strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= ID_MAX else None
