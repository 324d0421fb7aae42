"""The Bot API methods the sandbox implements, over the world, independent of HTTP.

Checks run in Telegram's order as far as it shows: parameters (400), then a blocked user
(403), then flood limits (429); only a call that passes all of them changes the world.
"""

from __future__ import annotations

import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox import content
from bot.sandbox.files import StoredFile, tiny_png
from bot.sandbox.params import ApiError, Params, Upload, bad_request
from bot.sandbox.state import CHANNEL_ID, StoredMessage, World

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
    chat_id = edit_target(world, params)
    parsed = content.message_text(params)
    markup = content.reply_markup(params, inline_only=True)
    stored = bot_message(world, chat_id, params.integer("message_id"))
    if stored.kind != "text":
        raise bad_request("there is no text in the message to edit")
    data = stored.data
    if (
        data.get("text") == parsed.text
        and (data.get("entities") or []) == parsed.entities
        and inline_of(stored.markup) == markup
    ):
        raise bad_request(NOT_MODIFIED)
    gate(world, chat_id)
    data.pop("entities", None)
    data.update(content.text_fields(parsed, "text"))
    return finish_edit(world, stored, markup)


@method("editMessageCaption")
async def edit_message_caption(world: World, params: Params) -> Any:
    chat_id = edit_target(world, params)
    parsed = content.caption(params)
    markup = content.reply_markup(params, inline_only=True)
    stored = bot_message(world, chat_id, params.integer("message_id"))
    if stored.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    data = stored.data
    if (
        data.get("caption", "") == parsed.text
        and (data.get("caption_entities") or []) == parsed.entities
        and inline_of(stored.markup) == markup
    ):
        raise bad_request(NOT_MODIFIED)
    gate(world, chat_id)
    data.pop("caption", None)
    data.pop("caption_entities", None)
    data.update(content.text_fields(parsed, "caption"))
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


# -- commands ----------------------------------------------------------------------------


def command_key(world: World, params: Params) -> tuple[tuple[Any, ...], str]:
    """(scope, language) under which commands are stored, validated like Telegram."""
    scope = params.object("scope") or {"type": "default"}
    if not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope.get("type")
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        key: tuple[Any, ...] = (kind,)
    elif kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = world.resolve_chat(scope.get("chat_id", ""))
        if chat_id is None:
            raise bad_request("chat not found")
        key = (kind, chat_id)
        if kind == "chat_member":
            user_id = scope.get("user_id")
            if user_id is None or int(user_id) not in world.personas:
                raise bad_request("user not found")
            key = (kind, chat_id, int(user_id))
    else:
        raise bad_request("unsupported scope type")
    lang = params.string("language_code") or ""
    # Telegram takes two-letter ISO 639-1 codes only: "zh", not "zh-hans".
    if lang and not re.fullmatch(r"[a-z]{2}", lang):
        raise bad_request("invalid language code specified")
    return key, lang


@method("setMyCommands")
async def set_my_commands(world: World, params: Params) -> Any:
    key = command_key(world, params)
    commands = params.object("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    clean = []
    for item in commands:
        if not isinstance(item, dict) or not COMMAND.fullmatch(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description") or "")
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": item["command"], "description": description})
    if clean:
        world.commands[key] = clean
    else:
        world.commands.pop(key, None)
    world.changes.notify()
    return True


@method("deleteMyCommands")
async def delete_my_commands(world: World, params: Params) -> Any:
    world.commands.pop(command_key(world, params), None)
    world.changes.notify()
    return True


@method("getMyCommands")
async def get_my_commands(world: World, params: Params) -> Any:
    return world.commands.get(command_key(world, params), [])


# -- chats and the rest ------------------------------------------------------------------


@method("getChat")
async def get_chat(world: World, params: Params) -> Any:
    chat_id = target_chat(world, params)
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        True,
    )
    info = {
        **world.chat_json(chat_id),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }
    if chat_id == CHANNEL_ID:
        info["description"] = "廉政风险点公示 / Integrity risk publicity"
    return info


for _name in (
    "setChatMenuButton",
    "setMyName",
    "setMyDescription",
    "setMyShortDescription",
    "setMyDefaultAdministratorRights",
    "close",
    "logOut",
):
    constant(_name, True)
constant("getChatMenuButton", {"type": "commands"})
constant("getMyName", lambda world: {"name": world.bot_name})
constant("getMyDescription", {"description": ""})
constant("getMyShortDescription", {"short_description": ""})
