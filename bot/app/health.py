"""Health for an operator or an orchestrator: `/healthz` (alive) and `/readyz` (can serve).

`/readyz` checks the database (reachable, migrations current), Redis when `REDIS_URL` is
set, and that the Bot API accepts the token (getMe, cached for `getme_ttl` seconds so a probe
every few seconds does not call Telegram every time). It answers 200 or 503 with a JSON body
naming each part: `{"ready": false, "checks": {"database": "ok", "redis": "down: ..."}}`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiogram import Bot
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.metrics import add_metrics_route
from bot.settings import Settings
from storage import migrate

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0  # seconds per part: a probe must answer even when a part hangs
OK = "ok"

Check = Callable[[], Awaitable[str]]


def _down(error: BaseException) -> str:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"down: {reason[:200]}"


@dataclass
class Readiness:
    """The parts `/readyz` checks; each check returns "ok" or a short reason."""

    engine: AsyncEngine
    bot: Bot | None = None
    redis_url: str | None = None
    getme_ttl: float = 30.0
    timeout: float = CHECK_TIMEOUT
    _getme_ok_until: float = field(default=0.0, init=False)

    @classmethod
    def from_settings(cls, settings: Settings, engine: AsyncEngine, bot: Bot | None) -> Readiness:
        return cls(engine=engine, bot=bot, redis_url=settings.redis_url)

    async def database(self) -> str:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return OK

    async def migrations(self) -> str:
        current = await migrate.current_revision(self.engine)
        head = migrate.head_revision()
        if current != head:
            return f"behind: at {current or 'none'}, newest is {head}"
        return OK

    async def redis(self) -> str:
        from redis.asyncio import Redis

        client = Redis.from_url(self.redis_url or "")
        try:
            await client.ping()
        finally:
            await client.aclose()
        return OK

    async def bot_api(self) -> str:
        if self.bot is None:
            return OK
        if time.monotonic() < self._getme_ok_until:
            return OK
        await self.bot.get_me()
        self._getme_ok_until = time.monotonic() + self.getme_ttl
        return OK

    def checks(self) -> dict[str, Check]:
        parts: dict[str, Check] = {"database": self.database, "migrations": self.migrations}
        if self.redis_url:
            parts["redis"] = self.redis
        if self.bot is not None:
            parts["bot_api"] = self.bot_api
        return parts

    async def check(self) -> dict[str, str]:
        """Every part, concurrently, each within the timeout."""
        parts = self.checks()
        results = await asyncio.gather(
            *(asyncio.wait_for(run(), self.timeout) for run in parts.values()),
            return_exceptions=True,
        )
        report: dict[str, str] = {}
        for name, result in zip(parts, results, strict=True):
            if isinstance(result, TimeoutError):
                report[name] = f"down: no answer within {self.timeout:g} s"
            elif isinstance(result, BaseException):
                report[name] = _down(result)
            else:
                report[name] = result
        return report


READINESS_KEY = web.AppKey("qingfeng_readiness", Readiness)


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"alive": True})


async def readyz(request: web.Request) -> web.Response:
    report = await request.app[READINESS_KEY].check()
    ready = all(value == OK for value in report.values())
    if not ready:
        log.warning("not ready: %s", ", ".join(f"{k}={v}" for k, v in report.items() if v != OK))
    return web.json_response({"ready": ready, "checks": report}, status=200 if ready else 503)


def add_health_routes(app: web.Application, readiness: Readiness) -> None:
    """/healthz, /readyz and /metrics."""
    app[READINESS_KEY] = readiness
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    add_metrics_route(app, readiness.engine)


def create_health_app(readiness: Readiness) -> web.Application:
    """The side server of polling mode: health (and metrics) only."""
    app = web.Application()
    add_health_routes(app, readiness)
    return app


async def start_side_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("health and metrics on %s:%s", host, port)
    return runner
