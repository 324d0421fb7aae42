"""Webhook delivery to several replicas, round robin, as a load balancer in front of them.

With `set_replicas(world, urls)` (the replicas' own URLs; the registered URL stands for the
balancer), pending updates go to them in turn, up to `max_connections` on the wire at once
but never two of one chat (so a chat's updates keep their order, as Telegram keeps them). A
failed delivery (connection refused, a replica killed mid-request, a non-2xx answer) is
retried on the next replica in the list (never the one that just failed while another is
there), with the backoff of `bot.sandbox.webhook`; after its `ATTEMPTS` tries it is dropped
and recorded as Telegram does. `delivered_to(world)` counts per URL.
Kept beside the world (like `bot.sandbox.send_log`), not in it.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.state import World

# One delivery of an update to a URL: True when the bot answered 2xx.
Deliver = Callable[[dict[str, Any], str], Awaitable[bool]]


@dataclass
class Fanout:
    replicas: list[str] = field(default_factory=list)
    delivered_to: dict[str, int] = field(default_factory=dict)


_FANOUT: weakref.WeakKeyDictionary[World, Fanout] = weakref.WeakKeyDictionary()


def fanout(world: World) -> Fanout:
    return _FANOUT.setdefault(world, Fanout())


def set_replicas(world: World, urls: list[str]) -> None:
    """Deliver round robin to `urls` from now on (an empty list: to the registered URL)."""
    fanout(world).replicas = list(urls)
    world.update_signal.notify()


def replicas(world: World) -> list[str]:
    return fanout(world).replicas


def delivered_to(world: World) -> dict[str, int]:
    return dict(fanout(world).delivered_to)


def chat_of(update: dict[str, Any]) -> int | None:
    """The user an update comes from (its order key), if it names one."""
    for value in update.values():
        if isinstance(value, dict):
            sender = value.get("from") or (value.get("message") or {}).get("chat")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None


async def deliver_round_robin(
    world: World, deliver: Deliver, *, attempts: int, backoff: float
) -> None:
    """Feed the replicas while they are set; returns when they are unset or the world closes."""
    turn = itertools.count()
    in_flight: set[asyncio.Task[None]] = set()
    busy: set[int | None] = set()
    try:
        while not world.closing and replicas(world) and world.webhook.url:
            update = _next_free(world, busy)
            if update is None or len(in_flight) >= world.webhook.max_connections:
                signal = asyncio.create_task(world.update_signal.wait(3600))
                await asyncio.wait({signal, *in_flight}, return_when=asyncio.FIRST_COMPLETED)
                signal.cancel()
                continue
            world.updates.remove(update)
            chat = chat_of(update)
            if chat is not None:
                busy.add(chat)
            task = asyncio.create_task(_deliver(world, deliver, update, turn, attempts, backoff))
            in_flight.add(task)
            task.add_done_callback(functools.partial(_done, in_flight, busy, chat))
    finally:
        for task in in_flight:
            task.cancel()


def _done(
    in_flight: set[asyncio.Task[None]],
    busy: set[int | None],
    chat: int | None,
    task: asyncio.Task[None],
) -> None:
    in_flight.discard(task)
    busy.discard(chat)


def _next_free(world: World, busy: set[int | None]) -> dict[str, Any] | None:
    for update in world.updates:
        if chat_of(update) not in busy or chat_of(update) is None:
            return update
    return None


async def _deliver(
    world: World,
    deliver: Deliver,
    update: dict[str, Any],
    turn: itertools.count[int],
    attempts: int,
    backoff: float,
) -> None:
    first = next(turn)  # its turn; a retry goes to the replica after the one that failed
    for attempt in range(attempts):
        urls = replicas(world)
        if not urls or world.closing:
            return
        url = urls[(first + attempt) % len(urls)]
        if await deliver(update, url):
            counts = fanout(world).delivered_to
            counts[url] = counts.get(url, 0) + 1
            world.update_signal.notify()  # its chat is free again
            return
        if attempt + 1 < attempts:
            await asyncio.sleep(backoff * 2**attempt)
    world.update_signal.notify()
