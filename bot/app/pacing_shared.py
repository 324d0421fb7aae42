"""One pace for the whole deployment: the flood limits kept in Redis, shared by every replica.

With `REDIS_URL` set, `make_pacer` gives a `SharedPacer`: each send asks Redis once, in one
Lua script that checks every limit that applies and charges them all only if all admit it
(all chats: at most `global_rate` sends in any 1 + `timing_margin` seconds, a sliding window
log, so no one-second window anywhere ever holds more than the limit, even after an idle
spell; a private chat: a token bucket of
`chat_rate`, `chat_burst` deep; a group or channel: `group_per_minute` in any 60 seconds; and
any 429 pause, global or per chat). The time is Redis's own (`TIME`), so replicas' clocks
don't matter. Without Redis (SQLite, one process) it is the in-memory `Pacer` as before.

Why a short script and not a library: `limits` (its async Redis storage, moving or sliding
window) hits one limit at a time. A send must take a global *and* a chat token atomically,
and refused by the chat limit must not spend the global token; bulk sends must leave a
reserve in the global bucket for replies. Those are one check-and-charge across two keys,
which is what a Lua script is for; the per-chat limits are the ones `bot.app.pacing` keeps.

Replies stay ahead of bulk sends across replicas: a bulk send is admitted only while the
window has room for `interactive_reserve` more sends beyond it, which replies may use; in
this process, bulk sends also wait while a reply is held back and go first-come first-served
(as in `Pacer`).

Redis down: a send waits (and retries every second, logged) rather than going unpaced; the
bot cannot serve anyway without its conversations, which live in Redis too.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Protocol

from bot.app.pacing import ChatKey, Limits, Pacer, PacingSettings, Verdict, is_group

log = logging.getLogger(__name__)

RETRY_WHEN_DOWN = 1.0
# Idle keys vanish after this (the longest window is a minute; a 429 pause sets its own).
KEY_TTL_MS = 120_000

# KEYS: global window, chat limiter, global pause, chat pause.
# ARGV: rate, keep, kind (0 none, 1 private, 2 group), chat rate, burst, group limit,
#       group window, ttl ms, a unique member for the windows, global window (seconds).
# Returns {verdict, seconds}: "ok" (charged), "chat" or "global" (the limit that refused, and
# how long until it might admit). Numbers go back as strings (Redis truncates Lua numbers).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, keep, kind = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl = tonumber(ARGV[8])
local cwait = 0
local ctokens, cts
if kind > 0 then
  local paused = tonumber(redis.call('GET', KEYS[4]) or '0')
  if paused > now then cwait = paused - now end
  if kind == 1 then
    local crate, burst = tonumber(ARGV[4]), tonumber(ARGV[5])
    local c = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
    ctokens, cts = tonumber(c[1]) or burst, tonumber(c[2]) or now
    if now > cts then ctokens = math.min(burst, ctokens + (now - cts) * crate); cts = now end
    if ctokens < 1 - 1e-9 then cwait = math.max(cwait, (1 - ctokens) / crate) end
  else
    local limit, window = tonumber(ARGV[6]), tonumber(ARGV[7])
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
    local n = redis.call('ZCARD', KEYS[2])
    if n >= limit then
      local first = redis.call('ZRANGE', KEYS[2], n - limit, n - limit, 'WITHSCORES')
      cwait = math.max(cwait, tonumber(first[2]) + window - now)
    end
  end
end
if cwait > 0 then return {'chat', tostring(cwait)} end
local gpaused = tonumber(redis.call('GET', KEYS[3]) or '0')
local gwindow = tonumber(ARGV[10])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - gwindow)
local n = redis.call('ZCARD', KEYS[1])
local allowed = math.max(1, math.floor(rate - math.min(keep, rate - 1) + 1e-9))
local gwait = 0
if n >= allowed then
  local first = redis.call('ZRANGE', KEYS[1], n - allowed, n - allowed, 'WITHSCORES')
  gwait = tonumber(first[2]) + gwindow - now
end
if gpaused > now then gwait = math.max(gwait, gpaused - now) end
if gwait > 0 then return {'global', tostring(gwait)} end
redis.call('ZADD', KEYS[1], now, ARGV[9])
redis.call('PEXPIRE', KEYS[1], ttl)
if kind == 1 then
  local last = redis.call('HGET', KEYS[2], 'last') or '0'
  redis.call('HSET', KEYS[2], 'tokens', tostring(ctokens - 1), 'ts', tostring(cts),
             'prev', last, 'last', tostring(now))
  redis.call('PEXPIRE', KEYS[2], ttl)
elseif kind == 2 then
  redis.call('ZADD', KEYS[2], now, ARGV[9])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return {'ok', '0'}
"""

# KEYS: global pause, chat pause, chat limiter. ARGV: seconds, kind, the chat's own window.
# A chat that had another send within its own window may have hit its own limit; otherwise
# the 429 can only be the global one (as `Budget.pause` decides). Returns the scope.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local seconds, kind, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local own = false
if kind == 1 then
  local prev = tonumber(redis.call('HGET', KEYS[3], 'prev') or '0')
  own = prev > now - window
elseif kind == 2 then
  own = redis.call('ZCOUNT', KEYS[3], now - window, '+inf') >= 2
end
local key, scope = KEYS[1], 'global'
if own then key, scope = KEYS[2], 'chat' end
local until_ = now + seconds
local current = tonumber(redis.call('GET', key) or '0')
if until_ > current then
  redis.call('SET', key, tostring(until_), 'PX', math.ceil(seconds * 1000) + 1000)
end
return scope
"""


class _Script(Protocol):
    async def __call__(self, keys: list[str], args: list[Any]) -> Any: ...


class SharedBudget:
    """The limits in Redis: `take()` checks and charges in one script, `pause()` a 429."""

    def __init__(self, redis: Any, limits: Limits, prefix: str) -> None:
        self.redis = redis
        self.limits = limits
        self.prefix = f"{prefix}:pace"
        self._take: _Script = redis.register_script(_TAKE)
        self._pause: _Script = redis.register_script(_PAUSE)
        self.chat_rate = limits.chat_rate / (1 + limits.chat_rate * limits.margin)

    def _keys(self, chat: ChatKey | None) -> tuple[int, str, str]:
        if chat is None:
            return 0, f"{self.prefix}:none", f"{self.prefix}:none:paused"
        kind = 2 if is_group(chat) else 1
        return kind, f"{self.prefix}:chat:{chat}", f"{self.prefix}:chat:{chat}:paused"

    async def take(self, chat: ChatKey | None, *, keep: float) -> tuple[str, float]:
        """("ok", 0) when charged, else which limit refused and the seconds to wait."""
        kind, chat_key, chat_paused = self._keys(chat)
        limits = self.limits
        verdict, seconds = await self._take(
            keys=[f"{self.prefix}:global", chat_key, f"{self.prefix}:paused", chat_paused],
            args=[
                limits.global_rate,
                keep,
                kind,
                self.chat_rate,
                limits.chat_burst,
                limits.group_per_minute,
                60.0 + limits.margin,
                KEY_TTL_MS,
                uuid.uuid4().hex,
                1.0 + limits.margin,
            ],
        )
        return _text(verdict), float(seconds)

    async def pause(self, chat: ChatKey | None, seconds: float) -> str:
        kind, chat_key, chat_paused = self._keys(chat)
        if chat is not None and is_group(chat):
            window = 60.0
        else:
            window = max(2 * self.limits.chat_burst / self.limits.chat_rate, 2.0)
        scope = await self._pause(
            keys=[f"{self.prefix}:paused", chat_paused, chat_key], args=[seconds, kind, window]
        )
        return _text(scope)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class SharedPacer(Pacer):
    """A `Pacer` whose budget is the deployment's, in Redis.

    The in-memory budget stays beside it as this process's view of 429 pauses (the sender
    asks `chat_wait()` and `global_pause()` without a round trip); the limits themselves are
    only Redis's."""

    def __init__(self, shared: SharedBudget, **options: Any) -> None:
        """`options`: `Pacer`'s keywords (interactive_reserve, clock, sleep)."""
        super().__init__(shared.limits, **options)
        self.shared = shared
        self._down_logged = 0.0
        self._pauses: set[asyncio.Task[str]] = set()

    async def _take(self, chat: ChatKey | None, keep: float) -> tuple[Verdict, float]:
        """`Pacer`'s one check, asked of Redis (this process's 429 pauses first, no trip)."""
        local = max(self.budget.chat_wait(chat, self.clock()), self.global_pause())
        if local > 0:
            return ("chat" if self.global_pause() <= 0 else "global"), local
        try:
            verdict, wait = await self.shared.take(chat, keep=keep)
        except Exception as error:  # redis.exceptions.RedisError, OSError: wait, never unpaced
            now = self.clock()
            if now - self._down_logged > 60:
                self._down_logged = now
                log.warning("pacing: Redis is unreachable (%s); sends wait", error)
            return "global", RETRY_WHEN_DOWN
        if verdict == "ok":
            self.budget.charge(chat, self.clock())  # this process's view, for 429 pauses
            return "ok", 0.0
        return ("chat" if verdict == "chat" else "global"), wait

    def on_retry_after(self, chat: ChatKey | None, seconds: float) -> str:
        """Pause here at once, and for every replica through Redis (in the background)."""
        scope = super().on_retry_after(chat, seconds)
        task = asyncio.get_running_loop().create_task(self.shared.pause(chat, seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pause_done)
        return scope

    def _pause_done(self, task: asyncio.Task[str]) -> None:
        self._pauses.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("pacing: a 429 pause was not shared: %s", task.exception())


class _Settings(PacingSettings, Protocol):
    redis_url: str | None
    redis_prefix: str


def make_pacer(settings: _Settings) -> Pacer:
    """The deployment's pacer: shared in Redis when REDIS_URL is set, else this process's."""
    if not settings.redis_url:
        return Pacer.from_settings(settings)
    from redis.asyncio import Redis

    local = Pacer.from_settings(settings)
    shared = SharedBudget(Redis.from_url(settings.redis_url), local.limits, settings.redis_prefix)
    return SharedPacer(shared, interactive_reserve=settings.delivery_interactive_reserve)
