"""Feedback figures as arithmetic: counts by kind and state, answered on time, the median time
to respond, ratings (pure; `bot.services.feedback.figures` selects the rows)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.feedback import Kind, Rating, State


@dataclass(frozen=True)
class Row:
    """One feedback item as the figures need it."""

    unit_id: int
    kind: Kind
    state: State
    created_at: datetime
    responded_at: datetime | None
    rating: Rating | None


@dataclass(frozen=True)
class Figures:
    """Feedback over a period: by kind and state, on-time answers, speed, satisfaction."""

    total: int
    by_kind: dict[Kind, int]
    by_state: dict[State, int]
    by_kind_state: dict[tuple[Kind, State], int]
    responded: int
    responded_on_time: int
    median_hours_to_answer: float | None
    ratings: dict[Rating, int]

    @property
    def on_time_share(self) -> float | None:
        return self.responded_on_time / self.responded if self.responded else None

    @property
    def satisfaction_share(self) -> float | None:
        """满意 and 基本满意 among the rated."""
        rated = sum(self.ratings.values())
        if not rated:
            return None
        return (self.ratings[Rating.SATISFIED] + self.ratings[Rating.FAIRLY]) / rated


def summarise(rows: Iterable[Row], answer_period: timedelta) -> Figures:
    """The figures of `rows` (pure; the service selects the rows of a unit and period)."""
    items = list(rows)
    by_kind = {kind: 0 for kind in Kind}
    by_state = {state: 0 for state in State}
    by_kind_state: dict[tuple[Kind, State], int] = {}
    ratings = {rating: 0 for rating in Rating}
    hours: list[float] = []
    on_time = 0
    for row in items:
        by_kind[row.kind] += 1
        by_state[row.state] += 1
        by_kind_state[(row.kind, row.state)] = by_kind_state.get((row.kind, row.state), 0) + 1
        if row.rating is not None:
            ratings[row.rating] += 1
        if row.responded_at is not None:
            taken = row.responded_at - row.created_at
            hours.append(taken.total_seconds() / 3600)
            on_time += taken <= answer_period
    return Figures(
        total=len(items),
        by_kind=by_kind,
        by_state=by_state,
        by_kind_state=by_kind_state,
        responded=len(hours),
        responded_on_time=on_time,
        median_hours_to_answer=statistics.median(hours) if hours else None,
        ratings=ratings,
    )
