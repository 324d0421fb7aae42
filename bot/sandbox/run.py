"""`make sandbox`: the local Telegram, the demo organisation, and the real bot against them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import make_url

from bot.demo import PERSONAS, seed_demo
from bot.domain.clock import Clock
from bot.i18n import translate
from bot.sandbox.bot_process import BotProcess
from bot.sandbox.persist import keep_chats, read_chats
from bot.sandbox.server import WORLD_KEY, create_sandbox_app
from bot.sandbox.state import CHANNEL_ID, World
from bot.settings import PROJECT_ROOT, Settings
from storage import migrate
from storage.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "7000000001:sandbox-token"
SANDBOX_USERNAME = "qingfeng_sandbox_bot"
SANDBOX_DB = PROJECT_ROOT / "data" / "sandbox.sqlite3"
# The sandbox's chats (bot/sandbox/persist.py), beside its database.
SANDBOX_CHATS = SANDBOX_DB.with_name("sandbox-chats.json")
RESTART_DELAY = 2.0


def sandbox_database_url(settings: Settings) -> str:
    """The sandbox keeps its own SQLite file, so demo data never mixes with real data."""
    if "DATABASE_URL" in os.environ:
        return settings.database_url
    return f"sqlite+aiosqlite:///{SANDBOX_DB}"


def new_world() -> World:
    world = World(SANDBOX_TOKEN, SANDBOX_USERNAME)
    # Update ids keep growing across sandbox restarts, as Telegram's do; the bot drops ids
    # it has already handled, so starting again at 1 would silence it.
    world.next_update_id = int(time.time() * 1000)
    world.add_personas(PERSONAS)
    return world


def chats_path(database_url: str) -> Path:
    """Beside the SQLite file the sandbox uses; `data/sandbox-chats.json` for any other."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(f"{database.stem}-chats.json")
    return SANDBOX_CHATS


def sqlite_file_missing(database_url: str) -> bool:
    url = make_url(database_url)
    return url.get_backend_name() == "sqlite" and not Path(url.database or "").exists()


async def prepare_database(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate.upgrade(engine)
        await seed_demo(make_sessionmaker(engine), Clock())
    finally:
        await engine.dispose()


async def run_sandbox(settings: Settings, *, host: str, port: int) -> int:
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    database_url = sandbox_database_url(settings)
    chats = chats_path(database_url)
    if sqlite_file_missing(database_url):
        # A new database knows none of the old chats' people: start those afresh too.
        chats.unlink(missing_ok=True)
    await prepare_database(database_url)
    world = new_world()
    read_chats(world, chats)
    app = create_sandbox_app(SANDBOX_TOKEN, SANDBOX_USERNAME, world=world)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        print(translate("sandbox.port_busy", settings.default_locale, port=port, reason=error))
        return 1
    base_url = f"http://{host}:{port}"
    bot = BotProcess(
        {
            "BOT_TOKEN": SANDBOX_TOKEN,
            "TELEGRAM_API_BASE": base_url,
            "DATABASE_URL": database_url,
            "BOT_USERNAME": SANDBOX_USERNAME,
            # Publicity rounds are posted to the sandbox's channel (the page's channel tab).
            "PUBLIC_CHANNEL_ID": str(CHANNEL_ID),
            "REDIS_URL": "",
            "WEBHOOK_URL": "",
        },
        cwd=PROJECT_ROOT,
        log_path=PROJECT_ROOT / "data" / "sandbox-bot.log",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"清风 sandbox: open {base_url}  (bot log: data/sandbox-bot.log; Ctrl-C stops)")
    keeper = asyncio.create_task(keep_chats(world, chats))
    try:
        await _supervise(bot, stop)
    finally:
        await bot.stop()
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        app[WORLD_KEY].closing = True
        await runner.cleanup()
    return 0


async def _supervise(bot: BotProcess, stop: asyncio.Event) -> None:
    """Keep the bot running: a crash shows the page's 'bot is down' banner, then it restarts."""
    while not stop.is_set():
        await bot.start()
        assert bot.process is not None
        exited = asyncio.create_task(bot.process.wait())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if stop.is_set():
            exited.cancel()
            return
        log.warning("the bot exited with %s; restarting", bot.process.returncode)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RESTART_DELAY)
