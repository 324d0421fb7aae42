"""The Bot API calls an outbox row may make, rebuilt from its stored JSON payload."""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)

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
