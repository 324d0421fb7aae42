"""Telegram's flood limits and injected faults, both off until switched on at runtime.

Flood limits (when ``flood.enabled``), checked for every *sending* method (``SENDING_METHODS``:
sends, copies, forwards and edits alike, since Telegram throttles edits too):

- all chats together: token bucket, ``global_per_second`` (30) tokens a second, capacity 30;
- a private chat: token bucket, ``private_per_second`` (1) a second, capacity
  ``private_burst`` (3), so a short reply burst passes but a sustained stream is paced;
- a group or channel (negative chat id): at most ``group_per_minute`` (20) in any sliding
  60 seconds.

A call is checked against every limit that applies before any is charged; if one refuses,
nothing is charged and the answer is 429 with ``retry_after`` = the whole seconds (at least 1)
until all would admit it, so the same call made that many seconds later (with no other
traffic) goes through. Refused calls never consume capacity.

Faults (``FaultConfig``) hit the methods in ``faults.methods`` (default: the sending methods),
one seeded random draw per kind per call, so a run with the same seed fails the same calls.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

# The same buckets, window and method list as the bot's own pacer: one model of Telegram's
# limits (tests/delivery/test_pacing.py checks the arithmetic on its own).
from bot.app.pacing import SENDING_METHODS, SlidingWindow, TokenBucket

Clock = Callable[[], float]


@dataclass
class FloodConfig:
    enabled: bool = False
    global_per_second: float = 30
    private_per_second: float = 1
    private_burst: float = 3
    group_per_minute: int = 20


class FloodLimiter:
    """Answers how long a send to a chat must wait, and charges it when it may go."""

    def __init__(self, config: FloodConfig, clock: Clock = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        now = self.clock()
        self._global = TokenBucket(
            self.config.global_per_second, self.config.global_per_second, now
        )
        self._private: dict[int, TokenBucket] = {}
        self._groups: dict[int, SlidingWindow] = {}

    def _limits_for(self, chat_id: int, now: float) -> list[TokenBucket | SlidingWindow]:
        cfg = self.config
        if chat_id > 0:
            bucket = self._private.get(chat_id)
            if bucket is None:
                bucket = TokenBucket(cfg.private_per_second, cfg.private_burst, now)
                self._private[chat_id] = bucket
            return [self._global, bucket]
        window = self._groups.get(chat_id)
        if window is None:
            window = self._groups[chat_id] = SlidingWindow(cfg.group_per_minute, 60.0)
        return [self._global, window]

    def check(self, chat_id: int) -> int:
        """0 if the send may go now (and charge it), else the retry_after seconds (>= 1)."""
        if not self.config.enabled:
            return 0
        now = self.clock()
        limits = self._limits_for(chat_id, now)
        wait = max(limit.wait_needed(now) for limit in limits)
        if wait > 0:
            return max(1, math.ceil(wait - 1e-9))
        for limit in limits:
            limit.take(now)
        return 0


@dataclass
class FaultConfig:
    error_rate: float = 0.0  # share of calls answered 5xx
    error_statuses: list[int] = field(default_factory=lambda: [500, 502])
    slow_rate: float = 0.0  # share of calls answered late
    slow_ms: int = 0
    drop_rate: float = 0.0  # share of calls whose connection is closed without an answer
    after_delivery: bool = False  # fail after the message was stored: a retry duplicates it
    methods: list[str] | None = None  # lower-case method names; None = the sending methods
    seed: int = 0


@dataclass(frozen=True)
class FaultDecision:
    drop: bool = False
    error_status: int | None = None
    delay_ms: int = 0

    @property
    def fails(self) -> bool:
        return self.drop or self.error_status is not None


class FaultInjector:
    """Seeded decisions about which calls to break; deterministic for a given seed."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self.random = random.Random(config.seed)

    def reseed(self, seed: int) -> None:
        self.config.seed = seed
        self.random = random.Random(seed)

    def applies_to(self, method: str) -> bool:
        methods = self.config.methods
        return method in (SENDING_METHODS if methods is None else {m.lower() for m in methods})

    def decide(self, method: str) -> FaultDecision:
        if not self.applies_to(method):
            return FaultDecision()
        cfg = self.config
        # Always draw three numbers so one kind's rate doesn't shift another kind's sequence.
        drop_draw, error_draw, slow_draw = (self.random.random() for _ in range(3))
        status_draw = self.random.randrange(max(len(cfg.error_statuses), 1))
        delay = cfg.slow_ms if slow_draw < cfg.slow_rate else 0
        if drop_draw < cfg.drop_rate:
            return FaultDecision(drop=True, delay_ms=delay)
        if error_draw < cfg.error_rate:
            statuses = cfg.error_statuses or [500]
            return FaultDecision(
                error_status=statuses[status_draw % len(statuses)], delay_ms=delay
            )
        return FaultDecision(delay_ms=delay)


def config_dict(flood: FloodConfig, faults: FaultConfig, blocked: Iterable[int]) -> dict[str, Any]:
    """The JSON shape of /api/faults."""
    return {"flood": asdict(flood), **asdict(faults), "blocked_users": sorted(blocked)}


def update_dataclass(target: Any, values: dict[str, Any]) -> None:
    """Set known fields of a config dataclass from JSON, rejecting unknown keys and bad types."""
    for key, value in values.items():
        if key not in target.__dataclass_fields__:
            raise ValueError(f"unknown setting {key!r}")
        current = getattr(target, key)
        if isinstance(current, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
        elif isinstance(current, int | float) and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise ValueError(f"{key} must be a number")
        if key.endswith("_rate") and not 0 <= value <= 1:
            raise ValueError(f"{key} must be between 0 and 1")
        setattr(target, key, value)
