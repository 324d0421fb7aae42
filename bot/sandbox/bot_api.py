"""The Bot API over HTTP: ``/bot{token}/{method}`` and ``/file/bot{token}/{path}``.

Adds what only HTTP can do to the methods: the token check, call counters and the injected
faults (late answers, 5xx, connections closed without an answer).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from bot.sandbox.limits import FaultDecision
from bot.sandbox.methods import CANONICAL, METHODS
from bot.sandbox.params import ApiError, Params, read_params
from bot.sandbox.state import World

log = logging.getLogger(__name__)


def api_response(result: Any = None, error: ApiError | None = None) -> web.Response:
    if error is not None:
        return web.json_response(error.body(), status=error.status, dumps=_dumps)
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def call_method(world: World, name: str, params: Params) -> Any:
    """Run one method (no faults); raise ApiError for Telegram's error answers."""
    func = METHODS.get(name.lower())
    if func is None:
        raise ApiError(404, "Not Found")
    world.counters.calls[CANONICAL[name.lower()]] = (
        world.counters.calls.get(CANONICAL[name.lower()], 0) + 1
    )
    try:
        return await func(world, params)
    except ApiError as e:
        if e.status == 400:
            world.counters.bad_requests += 1
        raise


class BotApi:
    """aiohttp handlers for one world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.route("*", "/bot{token}/{method}", self.handle_method),
            web.get("/file/bot{token}/{path:.+}", self.handle_file),
        ]

    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        if request.match_info["token"] != world.token:
            return api_response(error=ApiError(401, "Unauthorized"))
        if request.method not in ("GET", "POST"):
            return api_response(error=ApiError(405, "Method Not Allowed"))
        name = request.match_info["method"]
        if name.lower() not in METHODS:
            return api_response(error=ApiError(404, "Not Found"))
        decision = world.faults.decide(name.lower())
        if decision.delay_ms:
            world.counters.slowed += 1
            await asyncio.sleep(decision.delay_ms / 1000)
        if decision.fails and not world.faults.config.after_delivery:
            return self.fail(request, decision)
        try:
            params = await read_params(request)
            result = await call_method(world, name, params)
        except ApiError as e:
            return api_response(error=e)
        if decision.fails:
            return self.fail(request, decision)
        return api_response(result)

    def fail(self, request: web.Request, decision: FaultDecision) -> web.StreamResponse:
        """An injected fault: an answer-less closed connection, or a 5xx."""
        if decision.drop:
            self.world.counters.dropped += 1
            if request.transport is not None:
                request.transport.abort()
            # aiohttp finds the transport gone when writing this and drops it quietly.
            return web.Response(status=500)
        self.world.counters.injected_errors += 1
        status = decision.error_status or 500
        text = "Internal Server Error" if status == 500 else "Bad Gateway"
        return api_response(error=ApiError(status, text))

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return api_response(error=ApiError(401, "Unauthorized"))
        stored = self.world.files.by_path.get(request.match_info["path"])
        if stored is None:
            return api_response(error=ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
