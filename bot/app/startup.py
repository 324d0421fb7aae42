"""What `run` checks before it serves: each failure is one clear line, never a traceback.

A token that is not a token, a database that refuses, Redis that is down: the process stops
with one line saying so (`CliError`, exit status 2). A Bot API that cannot be reached is
waited for, with a growing pause between attempts and one line per attempt, since a network
that comes back is the usual ending; a Bot API that refuses the token stops the process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError
from aiogram.types import User
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import translate
from bot.settings import Settings

log = logging.getLogger("qingfeng.startup")

# Seconds between attempts to reach the Bot API: doubling, then every minute.
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
# One attempt may take this long before it counts as unreachable.
ATTEMPT_TIMEOUT = 10.0


class StartupError(Exception):
    """A one-line, already translated reason the bot cannot start."""


def reason_of(error: BaseException) -> str:
    """The first line of an exception's message (its type when it has none)."""
    first = str(error).strip().splitlines()
    return first[0] if first else type(error).__name__


def bad_token(settings: Settings) -> StartupError:
    return StartupError(translate("cli.bad_token", settings.default_locale))


async def check_database(engine: AsyncEngine, settings: Settings) -> None:
    """Connect once: a refused connection, a wrong password or a missing database is a line."""
    try:
        async with asyncio.timeout(ATTEMPT_TIMEOUT):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:  # refused, unreachable, bad URL, no such database
        reason = reason_of(error)
        message = translate("cli.db_unreachable", settings.default_locale, reason=reason)
        raise StartupError(message) from None


async def check_redis(settings: Settings) -> None:
    """PING the REDIS_URL (when set): conversations live there, so it must answer."""
    if not settings.redis_url:
        return
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url, socket_connect_timeout=ATTEMPT_TIMEOUT)
    try:
        async with asyncio.timeout(ATTEMPT_TIMEOUT):
            await client.ping()
    except Exception as error:  # refused, unknown host, wrong password
        reason = reason_of(error)
        message = translate("cli.redis_unreachable", settings.default_locale, reason=reason)
        raise StartupError(message) from None
    finally:
        await client.aclose()


async def wait_for_bot_api(
    bot: Bot,
    settings: Settings,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    attempts: int | None = None,
) -> User:
    """getMe until it answers: the bot's own user. One warning line per failed attempt (with
    the pause before the next); a refused token stops at once. `attempts` bounds the tries
    (None: until it answers)."""
    delay = FIRST_DELAY
    attempt = 0
    where = settings.telegram_api_base or "https://api.telegram.org"
    while True:
        attempt += 1
        try:
            async with asyncio.timeout(ATTEMPT_TIMEOUT):
                return await bot.get_me()
        except TelegramUnauthorizedError:
            raise bad_token(settings) from None
        except (TelegramNetworkError, TelegramServerError, OSError, TimeoutError) as error:
            if attempts is not None and attempt >= attempts:
                reason = reason_of(error)
                locale = settings.default_locale
                message = translate("cli.bot_api_gave_up", locale, url=where, reason=reason)
                raise StartupError(message) from None
            log.warning(
                translate(
                    "cli.bot_api_unreachable",
                    settings.default_locale,
                    url=where,
                    reason=reason_of(error),
                    attempt=attempt,
                    seconds=f"{delay:g}",
                )
            )
        await sleep(delay)
        delay = min(delay * 2, MAX_DELAY)
