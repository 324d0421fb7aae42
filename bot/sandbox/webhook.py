"""Webhook delivery: POST each pending update to the bot, in order, retrying with backoff.

An update is forgotten once the bot answers 2xx. On a failure (connection error, timeout,
non-2xx) it is retried after ``BACKOFF`` seconds, doubling, up to ``ATTEMPTS`` tries; then it
is dropped and ``last_error_*`` is recorded in getWebhookInfo, as Telegram does. An answer
carrying a method (``{"method": "sendMessage", ...}``) is executed like Telegram's webhook
reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.bot_api import call_method
from bot.sandbox.fanout import deliver_round_robin, replicas
from bot.sandbox.params import ApiError, Params
from bot.sandbox.state import World

log = logging.getLogger(__name__)
ATTEMPTS = 4
BACKOFF = 0.2
ANSWER_TIMEOUT = 10.0


async def deliver_forever(world: World) -> None:
    """Keep the bot's webhook fed while one is set. The HTTP session lives only while a
    webhook is set: a sandbox the bot polls never opens one."""
    while not world.closing:
        if not world.webhook.url:
            await world.update_signal.wait(3600)
            continue
        async with aiohttp.ClientSession() as session:
            await _deliver_while_set(world, session)


async def _deliver_while_set(world: World, session: aiohttp.ClientSession) -> None:
    while not world.closing and world.webhook.url:
        if replicas(world):
            await deliver_round_robin(
                world,
                functools.partial(_deliver_to, world, session),
                attempts=ATTEMPTS,
                backoff=BACKOFF,
            )
            continue
        if not world.updates:
            await world.update_signal.wait(3600)
            continue
        update = world.updates[0]
        for attempt in range(ATTEMPTS):
            if await deliver_one(world, session, update):
                break
            if attempt + 1 < ATTEMPTS:
                await asyncio.sleep(BACKOFF * 2**attempt)
            if not world.webhook.url or world.closing:
                break
        # Forget it whether delivered or given up on, unless the world moved on meanwhile.
        if world.updates and world.updates[0] is update:
            world.updates.pop(0)


async def deliver_one(
    world: World, session: aiohttp.ClientSession, update: dict[str, Any], *, url: str = ""
) -> bool:
    url = url or world.webhook.url
    headers = {}
    if world.webhook.secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = world.webhook.secret_token
    try:
        async with session.post(
            url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=ANSWER_TIMEOUT)
        ) as resp:
            body = await resp.read()
            ok = 200 <= resp.status < 300
            error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
    except (aiohttp.ClientError, TimeoutError) as e:
        ok, body, error = False, b"", f"Connection failed: {type(e).__name__}"
    if not ok:
        world.counters.webhook_failures += 1
        world.webhook.last_error_date = int(time.time())
        world.webhook.last_error_message = error
        return False
    world.counters.updates_delivered += 1
    world.webhook.last_error_date = world.webhook.last_error_message = None
    world.webhook.last_success_at = time.monotonic()
    await run_webhook_reply(world, body)
    return True


async def _deliver_to(
    world: World, session: aiohttp.ClientSession, update: dict[str, Any], url: str
) -> bool:
    return await deliver_one(world, session, update, url=url)


async def run_webhook_reply(world: World, body: bytes) -> None:
    """Execute a method the bot returned in its webhook answer; errors are only logged."""
    if not body.strip():
        return
    try:
        payload = json.loads(body)
    except ValueError:
        return
    if not isinstance(payload, dict) or not isinstance(payload.get("method"), str):
        return
    name = payload.pop("method")
    try:
        await call_method(world, name, Params(payload))
    except ApiError as e:
        log.warning("webhook reply %s failed: %s", name, e.description)


async def webhook_ctx(app: web.Application, world: World) -> AsyncIterator[None]:
    """cleanup_ctx: run the delivery loop for the app's lifetime."""
    task = asyncio.create_task(deliver_forever(world))
    yield
    world.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
