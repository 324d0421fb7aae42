"""How many rows an UPDATE or DELETE touched.

`AsyncSession.execute` is typed to return a plain `Result`; for a DML statement it is a
`CursorResult`, which has the count. One cast here instead of an ignore at every caller."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def affected(result: Result[Any]) -> int:
    """The rows the statement changed (0 when the driver cannot tell)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
