"""Several replicas behind one webhook URL: one shared WEBHOOK_SECRET (else `run` refuses to
start), and only the replica with WEBHOOK_REGISTER on registers the webhook."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import aiohttp
from aiogram.methods import SetWebhook
from pydantic import SecretStr

from bot.app.runners import replicas_problem, run_webhook
from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.settings import Settings
from storage.db import SessionMaker
from tests.kit.cli import run_module
from tests.kit.mocked_bot import MockedBot, message_update, user

SECRET = "shared-secret_of-the-replicas"


def test_several_replicas_need_a_webhook_and_a_shared_secret(settings: Settings) -> None:
    def problem(**values: object) -> str | None:
        return replicas_problem(settings.model_copy(update=values))

    hook = "https://bot.example.gov.cn/telegram/webhook"
    assert problem(replicas=1) is None
    assert problem(replicas=1, webhook_url=hook) is None  # one process: a random secret is fine
    assert problem(replicas=2) == "cli.replicas_need_webhook"
    assert problem(replicas=2, webhook_url=hook) == "cli.replicas_need_secret"
    assert problem(replicas=2, webhook_url=hook, webhook_secret=SecretStr("")) == (
        "cli.replicas_need_secret"
    )
    assert problem(replicas=3, webhook_url=hook, webhook_secret=SecretStr(SECRET)) is None


def test_run_refuses_with_one_line(tmp_path: Path) -> None:
    locale = "en"
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "DEFAULT_LOCALE": locale,
        "BOT_TOKEN": "123456:TEST-token",
        "WEBHOOK_URL": "https://bot.example.gov.cn/telegram/webhook",
        "REPLICAS": "2",
    }
    result = run_module("run", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == translate("cli.replicas_need_secret", locale, replicas=2)
    assert "WEBHOOK_SECRET" in result.stderr
    assert "WEBHOOK_SECRET" in translate("cli.replicas_need_secret", "zh", replicas=2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_two_replicas_one_registers_both_serve(
    settings: Settings, sessionmaker: SessionMaker, clock: FakeClock
) -> None:
    ports = free_port(), free_port()
    bots = MockedBot(), MockedBot()
    tasks = []
    for port, bot, register in zip(ports, bots, (True, False), strict=True):
        replica = settings.model_copy(
            update={
                "replicas": 2,
                "webhook_url": "https://bot.example.gov.cn/hook",
                "webhook_secret": SecretStr(SECRET),
                "webhook_host": "127.0.0.1",
                "webhook_port": port,
                "webhook_register": register,
            }
        )
        assert replicas_problem(replica) is None
        dp = create_dispatcher(replica, sessionmaker, clock=clock)
        tasks.append(asyncio.create_task(run_webhook(dp, bot, replica)))
    try:
        async with aiohttp.ClientSession() as http:
            for index, port in enumerate(ports):
                body = message_update(user(9800 + index), "/start").model_dump_json(
                    exclude_none=True
                )
                headers = {
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                }
                for _ in range(100):  # until the server listens
                    with contextlib.suppress(aiohttp.ClientConnectionError):
                        async with http.post(
                            f"http://127.0.0.1:{port}/hook", data=body, headers=headers
                        ) as response:
                            assert response.status == 200
                            break
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError(f"replica {index} never listened")
        for index, bot in enumerate(bots):
            for _ in range(200):
                if bot.sent(9800 + index):
                    break
                await asyncio.sleep(0.01)
            assert bot.sent(9800 + index), f"replica {index} did not handle its update"
        registered = [
            [m for m in bot.recording.requests if isinstance(m, SetWebhook)] for bot in bots
        ]
        assert [len(each) for each in registered] == [1, 0]
        assert registered[0][0].secret_token == SECRET
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
