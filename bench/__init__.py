"""Benchmarks (`python -m bench.delivery`, `python -m bench.crash`): the outbox against the
sandbox with Telegram's flood limits on. Shared helpers live here."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.pacing import SENDING_METHODS
from bot.delivery.outbox import enqueue
from bot.settings import Settings
from storage.db import SessionMaker, make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models.org import Person

TOKEN = "123456:BENCH-token"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0..1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def make_bot(url: str) -> Bot:
    return Bot(
        TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


_Next = NextRequestMiddlewareType[TelegramType]
_Method = TelegramMethod[TelegramType]
_Response = Response[TelegramType]


class CallLog(BaseRequestMiddleware):
    """Records when each sending call went on the wire (installed inside the pacing one)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def __call__(self, make_request: _Next, bot: Bot, method: _Method) -> _Response:
        if method.__api_method__.lower() in SENDING_METHODS:
            self.times.append(time.monotonic())
        return await make_request(bot, method)


def database_url(folder: Path) -> str:
    """BENCH_DATABASE_URL if set (e.g. PostgreSQL, an empty database), else a file SQLite."""
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder / 'bench.db'}"


SANDBOX_PIDS: dict[str, int] = {}  # the running sandbox processes' pids, by URL


@contextlib.asynccontextmanager
async def sandbox_process(port: int) -> AsyncIterator[str]:
    """The sandbox in its own process (so it doesn't share our event loop); yields its URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"from bench import serve_sandbox; serve_sandbox({port})",
        cwd=PROJECT_ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    SANDBOX_PIDS[url] = process.pid
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(1200):  # up to a minute: a loaded machine starts it slowly
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/api/status") as resp:
                        if resp.status == 200:
                            break
                await asyncio.sleep(0.05)
        yield url
    finally:
        SANDBOX_PIDS.pop(url, None)
        process.terminate()
        await process.wait()


async def control(
    http: aiohttp.ClientSession, url: str, method: str, path: str, **body: Any
) -> Any:
    """Call the sandbox's control API."""
    async with http.request(method, f"{url}/api{path}", json=body or None) as resp:
        data = await resp.json()
        if resp.status >= 400:
            raise RuntimeError(f"sandbox {path}: {data}")
        return data


def serve_sandbox(port: int) -> None:
    """Run the sandbox alone until terminated (the benchmarks' child process)."""
    from aiohttp import web

    from bot.sandbox import create_sandbox_app

    web.run_app(create_sandbox_app(TOKEN), host="127.0.0.1", port=port, print=None)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


async def timed(runs: int, work: Callable[[], Awaitable[Any]]) -> list[float]:
    """Seconds each of `runs` awaits of `work` took."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return times


def spread(times: list[float]) -> str:
    """min / median / max, with the load average beside them (the machine is shared)."""
    return (
        f"min {min(times):.3f} s  median {statistics.median(times):.3f} s  "
        f"max {max(times):.3f} s  ({load_average()})"
    )


def bench_settings(database_url: str | None = None, **values: Any) -> Settings:
    """A benchmark's settings: no .env, the bench token, and no quiet hours (it runs whenever
    it is started); `values` add or override."""
    if database_url is not None:
        values["database_url"] = database_url
    defaults: dict[str, Any] = {"bot_token": TOKEN}
    return Settings(  # type: ignore[call-arg]
        _env_file=None, quiet_hours_start="00:00", quiet_hours_end="00:00", **(defaults | values)
    )


async def migrated(url: str, *, pooled: bool = False) -> tuple[AsyncEngine, SessionMaker]:
    """An engine on `url` with the schema at head, and its session factory; `pooled` keeps
    connections open between uses, as the bot's own engine does."""
    engine = make_engine(url, pooled=pooled)
    await upgrade(engine)
    return engine, make_sessionmaker(engine)


def compile_project() -> None:
    """Write the project's bytecode, as installing its wheel does (pip compiles at install).

    With PYTHONDONTWRITEBYTECODE set (this machine; the Dockerfile sets it too, over an
    installed, compiled wheel) a checkout's bot would compile its ~260 modules from source at
    every start: seconds of start-up and megabytes of RSS that a deployment never pays."""
    import compileall

    for package in ("bot", "handlers", "storage"):
        compileall.compile_dir(PROJECT_ROOT / package, quiet=1)


def temp_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="qingfeng-bench-")


async def enqueue_each(
    sessionmaker: SessionMaker,
    chats: Iterable[int],
    text: str,
    *,
    settings: Settings,
    dedup_key: str | None = None,
    **fields: Any,
) -> None:
    """One outbox message to each chat, one `enqueue()` at a time, in one transaction; `text`
    and `dedup_key` are templates with `{chat}` in them."""
    async with sessionmaker() as session, session.begin():
        for chat in chats:
            key = dedup_key.format(chat=chat) if dedup_key else None
            await enqueue(
                session,
                chat_id=chat,
                text=text.format(chat=chat),
                dedup_key=key,
                settings=settings,
                **fields,
            )


async def add_recipients(sessionmaker: SessionMaker, chats: Iterable[int]) -> None:
    """The people a broadcast goes to (the unreachable check looks them up), named R<chat>."""
    async with sessionmaker() as session, session.begin():
        session.add_all(Person(telegram_id=c, name=f"R{c}") for c in chats)
