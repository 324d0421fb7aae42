"""The numbers a button carries, bounded: a forged one past the keys' 32 bits does not unpack (the
stale-button fallback answers it), so no handler asks the database about it and meets
`OverflowError`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.domain.ids import ID_MAX, ID_MIN

Id = Annotated[int, Field(ge=ID_MIN, le=ID_MAX)]
Year = Annotated[int, Field(ge=1, le=9999)]  # what `datetime.date` takes
