"""Pacing: Telegram's flood limits as our own budget, so we wait instead of collecting 429s.

The limiters are pure (they take `now` in seconds); `Pacer` puts them behind an async
`acquire()` shared by every sending call of one Bot (see `bot.app.pacing_middleware`):

- all chats: a token bucket of `global_rate` a second (capacity = one second's worth);
- a private chat (positive id): a token bucket of `chat_rate` a second, `chat_burst` deep;
- a group or channel (negative id, or an '@username'): `group_per_minute` in any 60 seconds.

Interactive replies take precedence over bulk (outbox) sends: a bulk send only takes a global
token when no interactive send is held back by the global budget, and leaves
`interactive_reserve` tokens in the bucket, so a reply usually finds a token at once. Bulk
sends queue first-come first-served for the global budget, so the outbox's priority order holds.
The budget is per process: run several senders and give each its share of the limits.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

ChatKey = int | str
MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
# What one check says: admitted (and charged), or which limit refused.
Verdict = Literal["ok", "chat", "global"]
# Idle per-chat limiters are dropped past this many, so a broadcast doesn't grow memory for good.
_PRUNE_ABOVE = 5000

# The methods Telegram throttles: sends, copies, forwards and edits (lower-case API names).
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendsticker",
        "sendvoice",
        "sendaudio",
        "sendvideo",
        "sendvideonote",
        "sendanimation",
        "sendmediagroup",
        "sendlocation",
        "sendvenue",
        "sendcontact",
        "sendpoll",
        "senddice",
        "sendinvoice",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
        "editmessagemedia",
    }
)


class TokenBucket:
    """`rate` tokens a second up to `capacity`; a send costs one token."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now
        self.taken: deque[float] = deque(maxlen=2)  # the last two sends, for 429 scoping

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait_needed(self, now: float, keep: float = 0.0) -> float:
        """Seconds until a token can be taken leaving `keep` tokens behind (0: now).

        `keep` is capped so that a full bucket always admits a send.
        """
        self._refill(now)
        keep = min(keep, self.capacity - 1)
        missing = 1 + keep - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1
        self.taken.append(now)

    def used_within(self, now: float) -> bool:
        """Whether anything was taken recently enough that the bucket isn't full again."""
        self._refill(now)
        return self.tokens < self.capacity - 1e-9

    def idle(self, now: float) -> bool:
        return not self.used_within(now)


class SlidingWindow:
    """At most `limit` sends in any `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.calls: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self.calls and self.calls[0] <= now - self.window:
            self.calls.popleft()

    def wait_needed(self, now: float) -> float:
        self._expire(now)
        if len(self.calls) < self.limit:
            return 0.0
        return self.calls[len(self.calls) - self.limit] + self.window - now

    def take(self, now: float) -> None:
        self._expire(now)
        self.calls.append(now)

    def used_within(self, now: float) -> bool:
        self._expire(now)
        return bool(self.calls)

    def idle(self, now: float) -> bool:
        return not self.used_within(now)


def is_group(chat: ChatKey) -> bool:
    """Groups and channels have negative ids; an '@username' chat id is a public channel."""
    return isinstance(chat, str) or chat < 0


@dataclass(frozen=True)
class Limits:
    global_rate: float = 30.0
    chat_rate: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: int = 20
    # Seconds of slack kept on every limit: requests reach Telegram with uneven delays, and
    # two sends spaced exactly at the limit here may arrive a little closer together there.
    margin: float = 0.1


class Budget:
    """The pure bookkeeping: how long a send must wait, charging it, and 429 pauses."""

    def __init__(self, limits: Limits, now: float) -> None:
        self.limits = limits
        self.global_bucket = TokenBucket(limits.global_rate, limits.global_rate, now)
        self._chats: dict[ChatKey, TokenBucket | SlidingWindow] = {}
        self._chat_paused_until: dict[ChatKey, float] = {}
        self.paused_until = 0.0  # a global 429 stops everything until then

    def _chat(self, chat: ChatKey, now: float) -> TokenBucket | SlidingWindow:
        limiter = self._chats.get(chat)
        if limiter is None:
            if len(self._chats) > _PRUNE_ABOVE:
                self._prune(now)
            if is_group(chat):
                limiter = SlidingWindow(self.limits.group_per_minute, 60.0 + self.limits.margin)
            else:
                # Sends to a chat are spaced by the margin more than the rate asks.
                rate = self.limits.chat_rate / (1 + self.limits.chat_rate * self.limits.margin)
                limiter = TokenBucket(rate, self.limits.chat_burst, now)
            self._chats[chat] = limiter
        return limiter

    def _chat_window(self, chat: ChatKey) -> float:
        """How far back another send to a chat makes a 429 likely to be that chat's own."""
        if is_group(chat):
            return 60.0
        return max(2 * self.limits.chat_burst / self.limits.chat_rate, 2.0)

    def _prune(self, now: float) -> None:
        for chat in [c for c, limiter in self._chats.items() if limiter.idle(now)]:
            del self._chats[chat]
        for chat in [c for c, until in self._chat_paused_until.items() if until <= now]:
            del self._chat_paused_until[chat]

    def global_wait(self, now: float, keep: float = 0.0) -> float:
        """Seconds until the all-chats budget admits a send that leaves `keep` tokens."""
        keep += self.limits.global_rate * self.limits.margin
        return max(self.paused_until - now, self.global_bucket.wait_needed(now, keep), 0.0)

    def chat_wait(self, chat: ChatKey | None, now: float) -> float:
        """Seconds until `chat`'s own limit (and any 429 pause on it) admits a send."""
        if chat is None:
            return 0.0
        paused = self._chat_paused_until.get(chat, 0.0) - now
        return max(paused, self._chat(chat, now).wait_needed(now), 0.0)

    def wait_needed(self, chat: ChatKey | None, now: float, keep: float = 0.0) -> float:
        return max(self.global_wait(now, keep), self.chat_wait(chat, now))

    def charge(self, chat: ChatKey | None, now: float) -> None:
        self.global_bucket.take(now)
        if chat is not None:
            self._chat(chat, now).take(now)

    def pause(self, chat: ChatKey | None, seconds: float, now: float) -> str:
        """Honour a 429's retry_after; returns the scope paused ("chat" or "global").

        Telegram doesn't say which limit refused us. A chat that had another send within its
        own window may have hit its own limit; otherwise it can only be the global one.
        """
        until = now + seconds
        limiter = self._chats.get(chat) if chat is not None else None
        if (
            chat is not None
            and limiter is not None
            and _had_other_send(limiter, now, self._chat_window(chat))
        ):
            self._chat_paused_until[chat] = max(self._chat_paused_until.get(chat, 0.0), until)
            return "chat"
        self.paused_until = max(self.paused_until, until)
        return "global"


def _had_other_send(limiter: TokenBucket | SlidingWindow, now: float, window: float) -> bool:
    """Was there a send besides the refused one (already charged) within `window` seconds?"""
    taken = limiter.calls if isinstance(limiter, SlidingWindow) else limiter.taken
    return len(taken) >= 2 and taken[-2] > now - window


class PacingSettings(Protocol):
    delivery_global_rate: float
    delivery_chat_rate: float
    delivery_chat_burst: float
    delivery_group_per_minute: int
    delivery_interactive_reserve: float
    delivery_timing_margin: float


class Pacer:
    """The async face of a `Budget`: `await acquire(chat, bulk=...)` before each send."""

    def __init__(
        self,
        limits: Limits,
        *,
        interactive_reserve: float = 3.0,
        clock: MonotonicClock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep  # tests pass one that moves their clock instead of waiting
        self.budget = Budget(limits, clock())
        # Bulk may never drain the bucket below this, and can't hold more than it has.
        headroom = limits.global_rate * (1 - limits.margin) - 1
        self.reserve = min(interactive_reserve, max(headroom, 0.0))
        self._bulk_turn = asyncio.Lock()  # FIFO: bulk sends go in the order they asked
        self._interactive_starved = 0  # replies held back only by the global budget

    @classmethod
    def from_settings(
        cls,
        settings: PacingSettings,
        *,
        clock: MonotonicClock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> Pacer:
        limits = Limits(
            global_rate=settings.delivery_global_rate,
            chat_rate=settings.delivery_chat_rate,
            chat_burst=settings.delivery_chat_burst,
            group_per_minute=settings.delivery_group_per_minute,
            margin=settings.delivery_timing_margin,
        )
        reserve = settings.delivery_interactive_reserve
        return cls(limits, interactive_reserve=reserve, clock=clock, sleep=sleep)

    @property
    def limits(self) -> Limits:
        return self.budget.limits

    async def acquire(self, chat: ChatKey | None, *, bulk: bool) -> None:
        """Wait until a send to `chat` fits the budget, then charge it."""
        if bulk:
            await self._acquire_bulk(chat)
        else:
            await self._acquire_interactive(chat)

    async def _take(self, chat: ChatKey | None, keep: float) -> tuple[Verdict, float]:
        """The one check a send makes: ("ok", 0) when admitted and charged, else the limit
        that refused ("chat" or "global") and the seconds until it might admit. Bulk sends
        leave `keep` tokens for replies. `SharedPacer` asks Redis here instead."""
        now = self.clock()
        chat_wait = self.budget.chat_wait(chat, now)
        if chat_wait > 0:
            return "chat", chat_wait
        global_wait = self.budget.global_wait(now, keep)
        if global_wait > 0:
            return "global", global_wait
        self.budget.charge(chat, now)
        return "ok", 0.0

    async def _acquire_interactive(self, chat: ChatKey | None) -> None:
        while True:
            verdict, wait = await self._take(chat, 0.0)
            if verdict == "ok":
                return
            if verdict == "chat":
                await self.sleep(wait)
                continue
            self._interactive_starved += 1
            try:
                await self.sleep(wait)
            finally:
                self._interactive_starved -= 1

    async def _acquire_bulk(self, chat: ChatKey | None) -> None:
        while True:
            # Wait for the chat outside the queue, so one busy chat doesn't hold up the rest.
            wait = self.chat_wait(chat)
            if wait > 0:
                await self.sleep(wait)
                continue
            async with self._bulk_turn:
                while True:
                    if self._interactive_starved:  # a reply held back goes first
                        await self.sleep(1 / self.limits.global_rate)
                        continue
                    verdict, wait = await self._take(chat, self.reserve)
                    if verdict == "ok":
                        return
                    if verdict == "chat":
                        break  # a reply took the chat's turn: wait outside the queue
                    # Poll a token's time at most: a starved reply may go first meanwhile.
                    await self.sleep(max(wait, 1 / self.limits.global_rate))
            await self.sleep(wait)

    def on_retry_after(self, chat: ChatKey | None, seconds: float) -> str:
        """Record a 429; returns what was paused ("chat" or "global")."""
        return self.budget.pause(chat, seconds, self.clock())

    def chat_wait(self, chat: ChatKey | None) -> float:
        return self.budget.chat_wait(chat, self.clock())

    def global_pause(self) -> float:
        """Seconds left of a global 429 pause (0 when none)."""
        return max(self.budget.paused_until - self.clock(), 0.0)
