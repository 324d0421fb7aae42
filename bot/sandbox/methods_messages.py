"""Bot API methods about messages: identity, updates and webhook, sending, editing and
deleting, callback answers, files."""

from __future__ import annotations

import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any

from bot.sandbox import content
from bot.sandbox.files import StoredFile, tiny_png
from bot.sandbox.html_check import ParsedText
from bot.sandbox.method_kit import (
    CHAT_ACTIONS,
    NOT_MODIFIED,
    QUERY_INVALID,
    bot_message,
    edit_target,
    gate,
    inline_of,
    method,
    reply_fields,
    target_chat,
)
from bot.sandbox.params import ApiError, Params, Upload, bad_request
from bot.sandbox.state import CHANNEL_ID, StoredMessage, World

# -- identity, updates, webhook ----------------------------------------------------------


@method("getMe")
async def get_me(world: World, params: Params) -> Any:
    return world.get_me()


@method("getUpdates")
async def get_updates(world: World, params: Params) -> Any:
    """Long polling: confirm by offset, wait up to timeout for the first update."""
    if world.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if "allowed_updates" in params:
        allowed = params.object("allowed_updates")
        world.allowed_updates = list(allowed) if allowed else None
    limit = min(max(params.integer("limit", 100) or 100, 1), 100)
    timeout = min(max(params.integer("timeout", 0) or 0, 0), 50)
    world.confirm_updates(params.integer("offset", 0) or 0)
    world.poll_generation += 1
    generation = world.poll_generation
    world.update_signal.notify()  # an older poll still waiting learns it was replaced
    deadline = time.monotonic() + timeout
    world.polls_waiting += 1
    try:
        while not world.updates and not world.closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await world.update_signal.wait(remaining)
            if world.poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
    finally:
        world.polls_waiting -= 1
        world.last_poll_at = time.monotonic()
    batch = world.updates[:limit]
    world.counters.updates_delivered += len(batch)
    return batch


@method("setWebhook")
async def set_webhook(world: World, params: Params) -> Any:
    url = params.string("url") or ""
    if url and not url.lower().startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.string("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    webhook = world.webhook
    if url != webhook.url:
        webhook.last_error_date = webhook.last_error_message = None
    webhook.url = url
    webhook.secret_token = secret if url else None
    webhook.max_connections = params.integer("max_connections", 40) or 40
    if "allowed_updates" in params:
        webhook.allowed_updates = list(params.object("allowed_updates") or []) or None
    world.update_signal.notify()
    return True


@method("deleteWebhook")
async def delete_webhook(world: World, params: Params) -> Any:
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    world.webhook.url = ""
    world.webhook.secret_token = None
    world.webhook.last_error_date = world.webhook.last_error_message = None
    world.update_signal.notify()
    return True


@method("getWebhookInfo")
async def get_webhook_info(world: World, params: Params) -> Any:
    return world.webhook_info()


# -- sending -----------------------------------------------------------------------------


@method("sendMessage")
async def send_message(world: World, params: Params) -> Any:
    chat_id = target_chat(world, params)
    parsed = content.message_text(params)
    markup = content.reply_markup(params, inline_only=chat_id == CHANNEL_ID)
    body = {**reply_fields(world, params, chat_id), **content.text_fields(parsed, "text")}
    gate(world, chat_id)
    return world.store_message(
        chat_id, body, from_bot=True, markup=markup, method="sendMessage"
    ).data


def resolve_file(world: World, value: Upload | str | None, kind: str) -> StoredFile:
    """An uploaded file becomes a new stored file; a file_id must exist and be of ``kind``."""
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, Upload):
        mime = value.content_type
        if mime == "application/octet-stream":
            mime = mimetypes.guess_type(value.filename)[0] or mime
        return world.files.add(kind, value.data, file_name=value.filename, mime_type=mime)
    if value.lower().startswith(("http://", "https://")):
        # Telegram would download it; the sandbox has no network, so a placeholder stands in.
        name = value.rstrip("/").rpartition("/")[2] or kind
        return world.files.add(kind, tiny_png() if kind == "photo" else b"", file_name=name)
    stored = world.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


async def send_media(world: World, params: Params, kind: str, name: str) -> Any:
    chat_id = target_chat(world, params)
    parsed = content.caption(params)
    markup = content.reply_markup(params, inline_only=chat_id == CHANNEL_ID)
    reply = reply_fields(world, params, chat_id)
    upload = params.input_file(kind)
    if upload is None:
        raise bad_request(f"there is no {kind} in the request")
    stored = resolve_file(world, upload, kind)  # an orphan upload if the gate refuses: harmless
    gate(world, chat_id)
    media = stored.photo_sizes() if kind == "photo" else stored.document_json()
    body = {**reply, kind: media, **content.text_fields(parsed, "caption")}
    if params.flag("has_spoiler"):
        body["has_media_spoiler"] = True
    return world.store_message(chat_id, body, from_bot=True, markup=markup, method=name).data


@method("sendPhoto")
async def send_photo(world: World, params: Params) -> Any:
    return await send_media(world, params, "photo", "sendPhoto")


@method("sendDocument")
async def send_document(world: World, params: Params) -> Any:
    return await send_media(world, params, "document", "sendDocument")


@method("sendChatAction")
async def send_chat_action(world: World, params: Params) -> Any:
    chat_id = target_chat(world, params)
    action = params.string("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    if chat_id in world.blocked:
        world.counters.blocked += 1
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    world.chat(chat_id).last_action = (action, time.monotonic())
    return True


# -- editing and deleting ----------------------------------------------------------------


@method("editMessageText")
async def edit_message_text(world: World, params: Params) -> Any:
    return edit_words(world, params, content.message_text, "text")


@method("editMessageCaption")
async def edit_message_caption(world: World, params: Params) -> Any:
    return edit_words(world, params, content.caption, "caption")


def edit_words(
    world: World, params: Params, parse: Callable[[Params], ParsedText], field: str
) -> dict[str, Any]:
    """A text message's text or a media message's caption (`field`), edited alike."""
    entities = "entities" if field == "text" else "caption_entities"
    chat_id = edit_target(world, params)
    parsed = parse(params)
    markup = content.reply_markup(params, inline_only=True)
    stored = bot_message(world, chat_id, params.integer("message_id"))
    if (stored.kind == "text") != (field == "text"):
        raise bad_request(f"there is no {field} in the message to edit")
    data = stored.data
    if (
        data.get(field, "") == parsed.text
        and (data.get(entities) or []) == parsed.entities
        and inline_of(stored.markup) == markup
    ):
        raise bad_request(NOT_MODIFIED)
    gate(world, chat_id)
    # The old words go first: an emptied caption leaves no field behind.
    data.pop(field, None)
    data.pop(entities, None)
    data.update(content.text_fields(parsed, field))
    return finish_edit(world, stored, markup)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, params: Params) -> Any:
    chat_id = edit_target(world, params)
    markup = content.reply_markup(params, inline_only=True)
    stored = bot_message(world, chat_id, params.integer("message_id"))
    if inline_of(stored.markup) == markup:
        raise bad_request(NOT_MODIFIED)
    gate(world, chat_id)
    return finish_edit(world, stored, markup)


def finish_edit(
    world: World, stored: StoredMessage, markup: dict[str, Any] | None
) -> dict[str, Any]:
    # An edit without reply_markup removes the inline keyboard, as in Telegram.
    stored.markup = markup
    stored.data.pop("reply_markup", None)
    if markup:
        stored.data["reply_markup"] = markup
    stored.data["edit_date"] = int(time.time())
    world.touch(stored)
    return stored.data


@method("deleteMessage")
async def delete_message(world: World, params: Params) -> Any:
    chat_id = target_chat(world, params)
    message_id = params.integer("message_id")
    stored = world.message(chat_id, message_id) if message_id is not None else None
    if stored is None:
        raise bad_request("message to delete not found")
    stored.deleted = True
    world.touch(stored)
    return True


@method("deleteMessages")
async def delete_messages(world: World, params: Params) -> Any:
    chat_id = target_chat(world, params)
    ids = params.object("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 identifiers")
    for message_id in ids:
        stored = world.message(chat_id, int(message_id))
        if stored is not None:
            stored.deleted = True
            world.touch(stored)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(world: World, params: Params) -> Any:
    query_id = params.string("callback_query_id") or ""
    query = world.callback_queries.get(query_id)
    if query is None or query["answered"]:
        raise bad_request(QUERY_INVALID)
    text = params.string("text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answered"] = True
    world.add_notice(
        query["user_id"],
        {
            "callback_query_id": query_id,
            "message_id": query["message_id"],
            "data": query["data"],
            "text": text,
            "show_alert": params.flag("show_alert"),
            "url": params.string("url"),
            "date": int(time.time()),
        },
    )
    return True


# -- files -------------------------------------------------------------------------------


@method("getFile")
async def get_file(world: World, params: Params) -> Any:
    stored = world.files.get(params.string("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_json()
