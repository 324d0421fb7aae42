"""The pacing middleware: which calls it paces, and an interactive reply's one retry on 429."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetMe, SendMessage

from bot.app.pacing_middleware import bulk_sending, chat_key
from storage.models.outbox import OutboxStatus
from tests.delivery.conftest import Harness
from tests.delivery.test_sender import put


def test_chat_key_of_calls() -> None:
    assert chat_key(SendMessage(chat_id=5, text="x")) == 5
    assert chat_key(SendMessage(chat_id="@qingfeng_public", text="x")) == "@qingfeng_public"
    assert chat_key(EditMessageText(inline_message_id="abc", text="x")) is None
    assert chat_key(GetMe()) is None
    assert chat_key(AnswerCallbackQuery(callback_query_id="1")) is None


async def test_an_interactive_reply_refused_with_429_is_retried_once(harness: Harness) -> None:
    h = harness
    (a,) = h.personas(1)
    # Telegram stricter than our budget: the second quick reply is refused, then retried.
    h.world.flood_config.enabled = True
    h.world.flood_config.private_burst = 1
    await h.bot.send_message(a, "one")
    await h.bot.send_message(a, "two")
    assert [d["text"] for d in h.world.deliveries] == ["one", "two"]
    assert h.middleware.throttled == 1
    assert h.world.counters.too_many_requests == 1


async def test_a_bulk_call_refused_with_429_is_not_retried_here(harness: Harness) -> None:
    h = harness
    (a,) = h.personas(1)
    h.world.flood_config.enabled = True
    h.world.flood_config.private_burst = 1
    with bulk_sending():
        await h.bot.send_message(a, "one")
        with pytest.raises(TelegramRetryAfter):
            await h.bot.send_message(a, "two")  # the outbox re-queues it instead


async def test_two_senders_never_claim_the_same_row(harness: Harness) -> None:
    h = harness
    chats = h.personas(30)
    for chat in chats:
        await put(h, chat)
    first, second = h.sender(), h.sender()
    a, b = await asyncio.gather(first.claim(20), second.claim(20))
    ids_a, ids_b = {c.id for c in a}, {c.id for c in b}
    assert not ids_a & ids_b
    assert len(ids_a | ids_b) == 30
    rows = await h.rows()
    assert {r.status for r in rows} == {OutboxStatus.SENDING}
