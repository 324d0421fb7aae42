"""The webhook: Telegram's secret token on every request, or 401."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Dispatcher
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app.runners import create_webhook_app, webhook_secret
from bot.app.wiring import create_dispatcher
from bot.domain.clock import FakeClock
from bot.i18n import translate
from bot.settings import Settings
from storage.db import SessionMaker
from tests.kit.mocked_bot import MockedBot, message_update, user

SECRET = "s3cr3t-token_for-tests"
PATH = "/telegram/webhook"


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def dp(settings: Settings, sessionmaker: SessionMaker, clock: FakeClock) -> Dispatcher:
    return create_dispatcher(settings, sessionmaker, clock=clock)


@pytest.fixture
async def client(dp: Dispatcher, bot: MockedBot) -> AsyncIterator[TestClient[object, object]]:
    app = create_webhook_app(dp, bot, SECRET, PATH)
    async with TestClient(TestServer(app)) as client:
        yield client


def body(telegram_id: int, text: str) -> str:
    return message_update(user(telegram_id), text).model_dump_json(exclude_none=True)


async def wait_for_reply(bot: MockedBot, chat_id: int) -> str:
    """Updates are handled in the background after the 200; wait (briefly) for the answer."""
    for _ in range(200):
        if bot.sent(chat_id):
            return bot.last_text(chat_id)
        await asyncio.sleep(0.01)
    raise AssertionError("the update was not handled")


@pytest.mark.parametrize("header", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_without_the_secret_401_and_nothing_handled(
    client: TestClient[object, object], bot: MockedBot, header: str | None
) -> None:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = header
    response = await client.post(PATH, data=body(9501, "/start"), headers=headers)
    assert response.status == 401
    await asyncio.sleep(0.05)
    assert bot.sent(9501) == []


async def test_with_the_secret_200_and_the_update_is_handled(
    client: TestClient[object, object], bot: MockedBot
) -> None:
    response = await client.post(
        PATH,
        data=body(9502, "/start"),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status == 200
    assert translate("start.welcome_citizen", "zh") in await wait_for_reply(bot, 9502)


def test_an_empty_secret_is_never_used(settings: Settings) -> None:
    """aiogram skips verification for an empty secret, so we never pass one."""
    empty = settings.model_copy(update={"webhook_secret": SecretStr("")})
    assert len(webhook_secret(empty)) >= 32
    unset = settings.model_copy(update={"webhook_secret": None})
    assert webhook_secret(unset) != webhook_secret(unset)
    given = settings.model_copy(update={"webhook_secret": SecretStr("abc")})
    assert webhook_secret(given) == "abc"
    with pytest.raises(ValueError, match="secret"):
        create_webhook_app(Dispatcher(), MockedBot(), "", PATH)


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b'[{"update_id": 1}]',
        b'"text"',
        b"\xff\xfe",
        b'{"update_id": "x"}',
        b"",
    ],
    ids=["invalid-json", "empty-array", "array", "string", "not-utf8", "not-an-update", "empty"],
)
async def test_a_malformed_body_with_the_secret_is_400_and_one_log_line(
    client: TestClient[object, object],
    bot: MockedBot,
    raw: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    with caplog.at_level("WARNING"):
        response = await client.post(PATH, data=raw, headers=headers)
        await asyncio.sleep(0.05)
    assert response.status == 400
    assert not [r for r in bot.recording.requests if type(r).__name__ == "SendMessage"]
    lines = [r for r in caplog.records if r.levelname in {"WARNING", "ERROR"}]
    assert len(lines) == 1 and "webhook body refused" in lines[0].getMessage(), lines
    assert lines[0].exc_info is None  # one line, no traceback


async def test_shutdown_lets_a_webhook_update_finish_before_the_session_closes(
    dp: Dispatcher, bot: MockedBot
) -> None:
    """The request handler closes the bot's session at shutdown; the dispatcher's own
    shutdown (which waits for the updates in hand) must come first."""
    from aiogram import F
    from aiogram.types import Message

    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []
    seen_at_close: list[list[str]] = []

    async def slow(message: Message) -> None:
        started.set()
        await release.wait()
        finished.append(message.text or "")

    dp.message.register(slow, F.text == "/slow")
    close = bot.session.close

    async def recording_close() -> None:
        seen_at_close.append(list(finished))
        await close()

    bot.session.close = recording_close  # type: ignore[method-assign]
    app = create_webhook_app(dp, bot, SECRET, PATH)
    async with TestClient(TestServer(app)) as client:
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = await client.post(PATH, data=body(9311, "/slow"), headers=headers)
        assert response.status == 200
        await asyncio.wait_for(started.wait(), 10)
        asyncio.get_running_loop().call_later(0.2, release.set)
    assert seen_at_close == [["/slow"]]
