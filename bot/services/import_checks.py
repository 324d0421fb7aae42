"""What every import shares: a problem per bad row, at most `ERRORS_MAX` of them, and the
checks every cell gets (its limit, no control characters).

A file with bad rows imports nothing. Checking stops at the `ERRORS_MAX`-th problem (a file of
100,000 bad rows would otherwise print 300,000 lines): the report says where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.services.tabular import Row

ERRORS_MAX = 50


@dataclass(frozen=True)
class Problem:
    row: int
    key: str  # catalog key of the reason
    values: dict[str, Any] = field(default_factory=dict)


class ImportRejected(Exception):
    """The file has bad rows; nothing was imported. `stopped_at`: the row checking stopped
    at after `ERRORS_MAX` problems (None: every row was checked)."""

    def __init__(self, problems: list[Problem], stopped_at: int | None = None) -> None:
        super().__init__(f"{len(problems)} bad rows")
        self.problems = problems
        self.stopped_at = stopped_at


class TooManyProblems(Exception):
    """Raised by `Problems.append` at the limit; the importer turns it into `ImportRejected`."""


class Problems(list[Problem]):
    """The problems found so far; the `ERRORS_MAX`-th stops the checking."""

    def append(self, problem: Problem) -> None:
        super().append(problem)
        if len(self) >= ERRORS_MAX:
            raise TooManyProblems()

    def flag(self, row: Row | int, key: str, **values: Any) -> None:
        self.append(Problem(row if isinstance(row, int) else row.number, key, values))

    def reject(self, stopped_at: int | None = None) -> None:
        """Raise `ImportRejected` when there is any problem."""
        if self:
            raise ImportRejected(list(self), stopped_at)


def check_cells(row: Row, problems: Problems, limits: dict[str, int]) -> None:
    """Control characters anywhere, and each limited column within its limit."""
    for name in row.control:
        problems.flag(row, "import.control_character", column=name)
    for name, limit in limits.items():
        if len(row.values.get(name, "")) > limit:
            problems.flag(row, "import.too_long", limit=limit)
