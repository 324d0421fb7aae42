"""The Bot API calls an outbox row may make, rebuilt from its stored JSON payload, and the
small helpers the sender uses around them."""

from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.methods import (
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)

from bot.delivery.lease import Claimed

METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "sendMessage": SendMessage,
    "sendPhoto": SendPhoto,
    "sendDocument": SendDocument,
    "editMessageText": EditMessageText,  # e.g. a publicity round's posts when it closes
}


def build_method(chat_id: int, payload: dict[str, Any]) -> TelegramMethod[Any]:
    """The aiogram method object for a stored payload."""
    params = {key: value for key, value in payload.items() if key != "method"}
    return METHODS[payload["method"]].model_validate({**params, "chat_id": chat_id})


def describe(error: TelegramAPIError) -> str:
    """What the outbox row keeps of a refusal: its kind and Telegram's words, bounded."""
    return f"{type(error).__name__}: {error.message}"[:1000]


def by_chat(rows: list[Claimed]) -> dict[int, list[Claimed]]:
    """Claimed rows grouped by chat, each group in send order."""
    groups: dict[int, list[Claimed]] = {}
    for row in rows:
        groups.setdefault(row.chat_id, []).append(row)
    return groups
