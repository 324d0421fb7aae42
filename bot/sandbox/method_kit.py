"""The sandbox's Bot API method registry and the checks the methods share.

Checks run in Telegram's order as far as it shows: parameters (400), then a blocked user
(403), then flood limits (429); only a call that passes all of them changes the world.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.params import ApiError, Params, bad_request
from bot.sandbox.send_log import record_send
from bot.sandbox.state import StoredMessage, World

Method = Callable[[World, Params], Awaitable[Any]]
METHODS: dict[str, Method] = {}
CANONICAL: dict[str, str] = {}  # lower-case → Telegram's spelling
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def method(name: str) -> Callable[[Method], Method]:
    def register(func: Method) -> Method:
        METHODS[name.lower()] = func
        CANONICAL[name.lower()] = name
        return func

    return register


def constant(name: str, value: Any) -> None:
    """A method answered with a fixed value (menu buttons, names, descriptions)."""

    async def answer(world: World, params: Params) -> Any:
        return value(world) if callable(value) else value

    method(name)(answer)


def target_chat(world: World, params: Params) -> int:
    chat_id = world.resolve_chat(params.chat_id())
    if chat_id is None:
        raise bad_request("chat not found")
    return chat_id


def gate(world: World, chat_id: int) -> None:
    """Blocked users and flood limits, for a call about to send into ``chat_id``."""
    if chat_id in world.blocked:
        world.counters.blocked += 1
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    retry_after = world.flood.check(chat_id)
    if retry_after:
        world.counters.too_many_requests += 1
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
    record_send(world, chat_id, time.time())


def reply_fields(world: World, params: Params, chat_id: int) -> dict[str, Any]:
    """reply_to_message from reply_parameters (or the older reply_to_message_id)."""
    reply = params.object("reply_parameters") or {}
    if not isinstance(reply, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = reply.get("message_id") or params.integer("reply_to_message_id")
    if not message_id:
        return {}
    replied = world.message(chat_id, int(message_id))
    if replied is None:
        if reply.get("allow_sending_without_reply") or params.flag("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": dict(replied.data)}


def bot_message(world: World, chat_id: int, message_id: int | None) -> StoredMessage:
    """The bot's own live message to edit, or 400 like Telegram."""
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = world.message(chat_id, message_id)
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return stored


def edit_target(world: World, params: Params) -> int:
    if "inline_message_id" in params:
        raise bad_request("MESSAGE_ID_INVALID")
    return target_chat(world, params)


def inline_of(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None
