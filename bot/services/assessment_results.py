"""What an assessment year is, as the services and the texts see it: plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.assessment import AssessmentState, Count, Indicator, Score


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    name: str
    path: str
    counts: dict[Indicator, Count]
    score: Score
    rank: int | None


@dataclass(frozen=True)
class YearAssessment:
    """A year's results, best first; frozen ones when `state` is confirmed."""

    year: int
    state: AssessmentState
    results: tuple[UnitResult, ...]
    confirmed_at: datetime | None = None

    def result(self, unit_id: int) -> UnitResult | None:
        return next((r for r in self.results if r.unit_id == unit_id), None)
