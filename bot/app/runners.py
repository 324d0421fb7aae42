"""How the bot meets Telegram: long polling, or a webhook served by aiohttp."""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.app.health import Readiness, add_health_routes, create_health_app, start_side_server
from bot.app.replicas import has_webhook_secret
from bot.app.replicas import replicas_problem as replicas_problem  # re-exported
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_polling(
    dp: Dispatcher, bot: Bot, settings: Settings, readiness: Readiness | None = None
) -> None:
    """Long polling; any webhook left over is removed first, or Telegram would refuse us.

    Health (and metrics) are served on the side port HEALTH_PORT unless it is 0."""
    side: web.AppRunner | None = None
    if readiness is not None and settings.health_port:
        side = await start_side_server(
            create_side_app(readiness), settings.health_host, settings.health_port
        )
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    finally:
        if side is not None:
            await side.cleanup()


def create_side_app(readiness: Readiness) -> web.Application:
    """Polling mode's side server: /healthz, /readyz, /metrics."""
    return create_health_app(readiness)


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or a fresh random one (Telegram echoes it on every request)."""
    # An empty WEBHOOK_SECRET counts as unset: aiogram skips the check for an empty secret.
    if settings.webhook_secret is not None and has_webhook_secret(settings):
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)


class CheckedRequestHandler(SimpleRequestHandler):
    """aiogram's handler, with the body checked before it is handed on: anything but one JSON
    object that reads as an Update answers 400 and logs one line (aiogram would answer 500
    with a traceback, or 200 and fail later in a background task nobody awaits)."""

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        problem = await self._body_problem(request, bot)
        if problem is not None:
            log.warning("webhook body refused (400): %s", problem)
            return web.Response(body="Bad Request", status=400)
        return await super().handle(request)

    @staticmethod
    async def _body_problem(request: web.Request, bot: Bot) -> str | None:
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
            return f"not JSON ({error.__class__.__name__})"
        if not isinstance(body, dict):
            return f"a JSON {type(body).__name__}, not an object"
        try:
            Update.model_validate(body, context={"bot": bot})
        except ValidationError as error:
            return f"not an update ({error.error_count()} errors)"
        return None


def create_webhook_app(
    dp: Dispatcher, bot: Bot, secret: str, path: str, readiness: Readiness | None = None
) -> web.Application:
    """An aiohttp app that answers 401 to any request without the secret token (and serves
    /healthz, /readyz and /metrics beside it when given the readiness checks)."""
    if not secret:
        raise ValueError("a webhook needs a non-empty secret token")
    app = web.Application()
    if readiness is not None:
        add_health_routes(app, readiness)
    # The dispatcher's hooks first: at shutdown its updates in hand finish before the request
    # handler closes the bot's session (aiohttp runs on_shutdown callbacks in order).
    setup_application(app, dp, bot=bot)
    CheckedRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    return app


async def run_webhook(
    dp: Dispatcher, bot: Bot, settings: Settings, readiness: Readiness | None = None
) -> None:
    """Serve WEBHOOK_URL's path locally on WEBHOOK_HOST:WEBHOOK_PORT and register the URL."""
    url = settings.webhook_url or ""
    secret = webhook_secret(settings)
    app = create_webhook_app(dp, bot, secret, urlparse(url).path or "/", readiness)

    async def register_webhook(_: web.Application) -> None:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
        )

    if settings.webhook_register:
        app.on_startup.append(register_webhook)
    else:
        log.info("WEBHOOK_REGISTER is off: another replica registers the webhook")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await _wait_forever()
    finally:
        await runner.cleanup()


async def _wait_forever() -> None:
    import asyncio

    await asyncio.Event().wait()
