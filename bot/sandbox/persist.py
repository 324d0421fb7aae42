"""The sandbox's chats survive a restart: a JSON file beside its database, written on change.

Telegram keeps every chat, the command menus the bot set and the files it was sent; a restart
of `make sandbox` must not lose them either, or every persona would see an empty chat and the
citizens' menu until they sent /start again. What is kept: personas (those made on the page
too), each chat's messages and reply keyboard, the command menus by scope, the blocked
personas, the files, and `seq` (so an open page's cursor stays valid). Updates not yet fetched
by the bot and unanswered callback queries are not kept: the bot has gone with them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.sandbox.files import StoredFile
from bot.sandbox.state import Chat, Persona, StoredMessage, World

log = logging.getLogger(__name__)

FORMAT = 1
SAVE_EVERY_SECONDS = 0.5


def dump_world(world: World) -> dict[str, Any]:
    """What the file holds: plain JSON, files base64-encoded."""
    return {
        "format": FORMAT,
        "seq": world.seq,
        "personas": [asdict(persona) for persona in world.personas.values()],
        "blocked": sorted(world.blocked),
        "commands": [
            [list(scope), lang, commands] for (scope, lang), commands in world.commands.items()
        ],
        "chats": [
            {
                "chat_id": chat.chat_id,
                "next_message_id": chat.next_message_id,
                "reply_keyboard": chat.reply_keyboard,
                "messages": [
                    {
                        "message_id": m.message_id,
                        "from_bot": m.from_bot,
                        "data": m.data,
                        "seq": m.seq,
                        "markup": m.markup,
                        "deleted": m.deleted,
                    }
                    for m in chat.messages.values()
                ],
            }
            for chat in world.chats.values()
        ],
        "files": [
            {**asdict(f), "data": base64.b64encode(f.data).decode("ascii")}
            for f in world.files.files.values()
        ],
        "file_counter": world.files._counter,
    }


def load_world(world: World, saved: dict[str, Any]) -> None:
    """Put a dump back into `world` (its configuration and update ids are left as they are)."""
    if saved.get("format") != FORMAT:
        raise ValueError(f"unknown sandbox chats format {saved.get('format')!r}")
    world.seq = max(world.seq, int(saved["seq"]))
    for fields in saved["personas"]:
        persona = Persona(**fields)
        world.personas[persona.user_id] = persona
    world.blocked.update(saved["blocked"])
    for scope, lang, commands in saved["commands"]:
        world.commands[(tuple(scope), lang)] = commands
    for item in saved["chats"]:
        chat = Chat(item["chat_id"], next_message_id=item["next_message_id"])
        chat.reply_keyboard = item["reply_keyboard"]
        for m in item["messages"]:
            chat.messages[m["message_id"]] = StoredMessage(chat_id=chat.chat_id, **m)
            chat.changed_seq = max(chat.changed_seq, int(m["seq"]))
        world.chats[chat.chat_id] = chat
    for fields in saved["files"]:
        stored = StoredFile(**{**fields, "data": base64.b64decode(fields["data"])})
        world.files.files[stored.file_id] = stored
        world.files.by_path[stored.file_path] = stored
    world.files._counter = max(world.files._counter, int(saved["file_counter"]))


def read_chats(world: World, path: Path) -> bool:
    """Load `path` into `world` when it exists; a damaged file is set aside, never fatal."""
    if not path.exists():
        return False
    try:
        load_world(world, json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as error:
        aside = path.with_suffix(path.suffix + ".broken")
        os.replace(path, aside)
        log.warning(
            "sandbox chats in %s could not be read (%s); set aside as %s", path, error, aside
        )
        return False
    return True


def write_chats(world: World, path: Path) -> str:
    """Write the world to `path` atomically (a temporary file renamed over it); the text."""
    text = json.dumps(dump_world(world), ensure_ascii=False, separators=(",", ":"))
    save_text(path, text)
    return text


def save_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def fingerprint(world: World) -> tuple[object, ...]:
    """Cheap to take, and different whenever what the file would hold is."""
    personas = tuple(sorted((p.user_id, p.name, p.language_code) for p in world.personas.values()))
    return (world.seq, world.files._counter, personas, tuple(sorted(world.blocked)),
            repr(world.commands))  # fmt: skip


async def keep_chats(world: World, path: Path) -> None:
    """Until cancelled: every half second, write the file when the world changed since it was
    last written; once more when cancelled."""
    last: tuple[object, ...] | None = None  # the first turn writes what was read back
    try:
        while True:
            await asyncio.sleep(SAVE_EVERY_SECONDS)
            now = fingerprint(world)
            if now != last:
                write_chats(world, path)
                last = now
    finally:
        with contextlib.suppress(OSError):
            write_chats(world, path)
