"""When each sending call passed the flood gate: the sandbox's record of the bot's pace.

Every send, copy, forward and edit that got past the flood limits is logged with its time
(`time.time()`) and chat, so a test or benchmark can check the whole deployment's rate
(every replica together) in any one-second window. Kept beside the world, not in it."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from bot.sandbox.state import World

_LOGS: weakref.WeakKeyDictionary[World, list[tuple[float, int]]] = weakref.WeakKeyDictionary()


def record_send(world: World, chat_id: int, at: float) -> None:
    _LOGS.setdefault(world, []).append((at, chat_id))


def sends(world: World) -> list[tuple[float, int]]:
    """(time, chat) of every sending call admitted so far, oldest first."""
    return list(_LOGS.get(world, []))


def clear_sends(world: World) -> None:
    _LOGS.pop(world, None)


def peak_in_window(times: Iterable[float], window: float = 1.0) -> int:
    """The most events in any window of `window` seconds (both ends included)."""
    ordered = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(ordered):
        while ordered[lo] < t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best
