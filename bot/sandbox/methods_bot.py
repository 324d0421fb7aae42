"""Bot API methods about the bot itself: its commands, chats, and the settings it only sets."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.method_kit import (
    COMMAND,
    constant,
    method,
    target_chat,
)
from bot.sandbox.params import Params, bad_request
from bot.sandbox.state import CHANNEL_ID, World

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
