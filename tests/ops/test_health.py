"""/healthz and /readyz: on the webhook server and on polling mode's side port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.health import Readiness
from bot.app.runners import create_side_app, create_webhook_app
from bot.sandbox import World, create_sandbox_app
from storage.db import make_engine
from tests.sandbox.conftest import TOKEN, make_bot


@pytest.fixture
async def api_url() -> AsyncIterator[str]:
    """The sandbox as the Bot API."""
    server = TestServer(create_sandbox_app(TOKEN, world=World(TOKEN, "qingfeng_bot")))
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def api_bot(api_url: str) -> AsyncIterator[Bot]:
    bot = make_bot(api_url)
    try:
        yield bot
    finally:
        await bot.session.close()


async def probe(readiness: Readiness, path: str) -> tuple[int, dict[str, object]]:
    async with TestClient(TestServer(create_side_app(readiness))) as client:
        response = await client.get(path)
        return response.status, await response.json()


async def test_alive_and_ready_against_the_sandbox(engine: AsyncEngine, api_bot: Bot) -> None:
    readiness = Readiness(engine=engine, bot=api_bot)
    assert await probe(readiness, "/healthz") == (200, {"alive": True})
    status, body = await probe(readiness, "/readyz")
    assert status == 200
    assert body == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "bot_api": "ok"},
    }


async def test_a_refused_token_is_named(engine: AsyncEngine, api_url: str) -> None:
    bot = make_bot(api_url, token="123456:WRONG-token")
    try:
        status, body = await probe(Readiness(engine=engine, bot=bot), "/readyz")
    finally:
        await bot.session.close()
    assert status == 503
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks["database"] == "ok"
    assert str(checks["bot_api"]).startswith("down:")


async def test_migrations_behind_and_redis_down_are_named(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        readiness = Readiness(engine=engine, redis_url="redis://127.0.0.1:1/0", timeout=3)
        status, body = await probe(readiness, "/readyz")
    finally:
        await engine.dispose()
    assert status == 503
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks["database"] == "ok"
    assert str(checks["migrations"]).startswith("behind: at none")
    assert str(checks["redis"]).startswith("down:")
    assert "bot_api" not in checks


async def test_an_unreachable_database_is_named(tmp_path: Path) -> None:
    # A folder where the database file should be: SQLite cannot open it.
    (tmp_path / "db").mkdir()
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db'}")
    try:
        status, body = await probe(Readiness(engine=engine), "/readyz")
    finally:
        await engine.dispose()
    assert status == 503
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert str(checks["database"]).startswith("down:")


async def test_getme_is_cached(
    engine: AsyncEngine, api_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real_get_me = api_bot.get_me

    async def counting_get_me() -> object:
        calls.append(1)
        return await real_get_me()

    monkeypatch.setattr(api_bot, "get_me", counting_get_me)
    readiness = Readiness(engine=engine, bot=api_bot, getme_ttl=60)
    for _ in range(3):
        assert (await readiness.check())["bot_api"] == "ok"
    assert len(calls) == 1
    readiness.getme_ttl = 0
    readiness._getme_ok_until = 0
    await readiness.check()
    assert len(calls) == 2


async def test_the_webhook_server_serves_health_too(engine: AsyncEngine, api_bot: Bot) -> None:
    app = create_webhook_app(Dispatcher(), api_bot, "secret", "/hook", Readiness(engine=engine))
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200
        response = await client.get("/readyz")
        assert response.status == 200
        assert (await response.json())["ready"] is True
        assert (await client.post("/hook", data="{}")).status == 401
