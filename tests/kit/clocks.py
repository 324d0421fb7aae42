"""A monotonic clock a test moves by hand (for the flood limiter and the pacer), and that
moves when the pacer 'sleeps' on it."""

from __future__ import annotations

import asyncio


class ManualMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)
