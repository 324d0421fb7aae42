"""The sandbox app: a fake Telegram Bot API, its control API and the chat page, in one server."""

from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web

from bot.sandbox.bot_api import BotApi
from bot.sandbox.control_api import ControlApi
from bot.sandbox.control_fanout import fanout_routes
from bot.sandbox.state import World
from bot.sandbox.webhook import webhook_ctx

STATIC_DIR = Path(__file__).resolve().parent / "static"
WORLD_KEY = web.AppKey("sandbox_world", World)
# Telegram takes uploads up to 50 MB.
MAX_UPLOAD = 60 * 1024 * 1024


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def _wake_waiters(app: web.Application) -> None:
    # Long polls would otherwise hold shutdown for their whole timeout.
    app[WORLD_KEY].close()


def create_sandbox_app(
    token: str,
    bot_username: str = "qingfeng_bot",
    *,
    seed: int = 0,
    bot_name: str = "清风 Qingfeng",
    world: World | None = None,
) -> web.Application:
    """The whole sandbox; ``app[WORLD_KEY]`` is its world, for in-process tests and seeding."""
    world = world or World(token, bot_username, bot_name=bot_name, seed=seed)
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[WORLD_KEY] = world
    app.add_routes(BotApi(world).routes())
    app.add_routes(ControlApi(world).routes())
    app.add_routes(fanout_routes(world))
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.on_shutdown.append(_wake_waiters)
    app.cleanup_ctx.append(functools.partial(webhook_ctx, world=world))
    return app
