"""The small state machines' one lookup: (state, action) → next state, or the machine's refusal.

Publicity rounds, assessments and digest subscriptions each declare a table of moves; this is
how every one of them asks it. (Risks and feedback carry more per move: who may make it, what it
does; they keep richer tables of their own.)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Generic, TypeVar

from bot.domain.errors import ServiceError

S = TypeVar("S", bound=Hashable)
A = TypeVar("A", bound=Hashable)


class MoveTable(Generic[S, A]):
    """A table of legal moves; a move it lacks is refused with `refusal` (a stale button too)."""

    def __init__(self, moves: Mapping[tuple[S, A], S], refusal: str) -> None:
        self.moves = moves
        self.refusal = refusal

    def after(self, state: S, action: A, /, **values: Any) -> S:
        """The state `action` leads to from `state`; `values` fill the refusal's message."""
        target = self.moves.get((state, action))
        if target is None:
            raise ServiceError(self.refusal, **values)
        return target
