"""The control API's views of the sandbox's world: messages and chats as the chat page reads them.

A mixin of `World` (bot/sandbox/state.py), kept apart so each file reads in one sitting.
"""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.records import StoredMessage
from bot.sandbox.world_parts import WorldParts


class ChatViews(WorldParts):
    """Views and waits over the world's chats."""

    def message_view(self, stored: StoredMessage) -> dict[str, Any]:
        data = stored.data
        sender = data.get("from") or data.get("sender_chat") or {}
        view: dict[str, Any] = {
            "message_id": stored.message_id,
            "chat_id": stored.chat_id,
            "seq": stored.seq,
            "date": data["date"],
            "from_bot": stored.from_bot,
            "sender": {
                "id": sender.get("id"),
                "name": sender.get("title") or sender.get("first_name") or "",
            },
            "kind": stored.kind,
            "text": stored.text,
            "entities": stored.entities,
            "reply_markup": stored.markup,
            "edited": "edit_date" in data,
            "edit_date": data.get("edit_date"),
            "deleted": stored.deleted,
            "reply_to_message_id": (data.get("reply_to_message") or {}).get("message_id"),
        }
        if "photo" in data:
            biggest = data["photo"][-1]
            view["photo"] = {**biggest, "url": f"/api/files/{biggest['file_id']}"}
        for kind in ("document", "sticker", "voice"):
            if kind in data:
                view[kind] = {**data[kind], "url": f"/api/files/{data[kind]['file_id']}"}
        if "contact" in data:
            view["contact"] = dict(data["contact"])
        return view

    def chat_view(self, chat_id: int, after_seq: int = 0) -> dict[str, Any]:
        chat = self.chat(chat_id)
        messages = [m for m in chat.messages.values() if m.seq > after_seq]
        messages.sort(key=lambda m: m.message_id)
        action = None
        if chat.last_action and time.monotonic() - chat.last_action[1] < 5:
            action = chat.last_action[0]
        return {
            "chat": self.chat_json(chat_id),
            "seq": self.seq,
            "messages": [self.message_view(m) for m in messages],
            "notices": [n for n in chat.notices if n["seq"] > after_seq],
            "reply_keyboard": chat.reply_keyboard,
            "chat_action": action,
        }

    def has_changes(self, chat_id: int, after_seq: int) -> bool:
        return self.chat(chat_id).changed_seq > after_seq

    async def wait_chat(self, chat_id: int, after_seq: int, wait: float) -> dict[str, Any]:
        """The chat's changes after ``after_seq``, waiting up to ``wait`` seconds for one."""
        deadline = time.monotonic() + min(max(wait, 0.0), 60.0)
        while not self.closing and not self.has_changes(chat_id, after_seq):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self.chat(chat_id).changed.wait(remaining)
        return self.chat_view(chat_id, after_seq)
