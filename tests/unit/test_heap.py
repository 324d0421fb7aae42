"""Once ready to serve, the bot exempts its start-up heap from collections and collects less
often (bot/app/heap.py); cycles made afterwards are still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.app.heap import THRESHOLDS, freeze_startup_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_the_start_up_heap_is_frozen_and_later_cycles_are_still_collected(
    restored_collector: None,
) -> None:
    kept = _Node()
    freeze_startup_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700  # less often than CPython's default
    assert all(each is not kept for each in gc.get_objects())  # frozen: never walked

    later = _Node()
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None
