"""The world's chats: their messages, edits and notices, each change numbered by `seq`.

A mixin of `World` (bot/sandbox/state.py), kept apart so each file reads in one sitting.
"""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.records import Chat, StoredMessage
from bot.sandbox.world_parts import WorldParts

CHANNEL_ID = -1001000000001


class ChatContents(WorldParts):
    """Messages stored in chats, and the seq that tells readers what changed."""

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _chat_seq(self, chat: Chat) -> int:
        """The next seq, for a change to `chat`; its waiters are woken."""
        chat.changed_seq = self._next_seq()
        chat.changed.notify()
        return chat.changed_seq

    def _wake_every_chat(self) -> None:
        for chat in self.chats.values():
            chat.changed.notify()

    def chat(self, chat_id: int) -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id))

    def store_message(
        self,
        chat_id: int,
        body: dict[str, Any],
        *,
        from_bot: bool,
        markup: dict[str, Any] | None = None,
        method: str = "",
    ) -> StoredMessage:
        """Append a message to a chat, numbering it like Telegram (per chat, from 1)."""
        chat = self.chat(chat_id)
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: dict[str, Any] = {"message_id": message_id, "date": int(time.time())}
        if chat_id == CHANNEL_ID:
            data["sender_chat"] = self.channel_json()
        elif from_bot:
            data["from"] = self.bot_user()
        else:
            data["from"] = self.personas[chat_id].user_json()
        data["chat"] = self.chat_json(chat_id)
        data.update(body)
        if markup and "inline_keyboard" in markup:
            data["reply_markup"] = markup  # Message.reply_markup holds inline keyboards only
        stored = StoredMessage(chat_id, message_id, from_bot, data, self._chat_seq(chat), markup)
        chat.messages[message_id] = stored
        if from_bot and markup is not None:
            if "keyboard" in markup:
                chat.reply_keyboard = markup
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        if from_bot:
            self.deliveries.append(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "seq": stored.seq,
                    "method": method,
                    "text": stored.text,
                    "at": time.time(),
                }
            )
        self.changes.notify()
        return stored

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        chat = self.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        return None if stored is None or stored.deleted else stored

    def touch(self, stored: StoredMessage) -> None:
        """Record a change to a stored message (edit or deletion)."""
        stored.seq = self._chat_seq(self.chat(stored.chat_id))
        self.changes.notify()

    def add_notice(self, chat_id: int, notice: dict[str, Any]) -> None:
        chat = self.chat(chat_id)
        chat.notices.append({**notice, "seq": self._chat_seq(chat)})
        self.changes.notify()
