"""What personas do in the sandbox's world: send text, files, contacts; open links; press buttons.

A mixin of `World` (bot/sandbox/state.py), kept apart so each file reads in one sitting.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.files import fake_voice, tiny_png
from bot.sandbox.records import StoredMessage, WorldError
from bot.sandbox.world_parts import WorldParts


class PersonaActions(WorldParts):
    """Each action stores the persona's message in their chat and queues the bot's update."""

    def persona_message(
        self, user_id: int, body: dict[str, Any], *, reply_to_message_id: int | None = None
    ) -> StoredMessage:
        """A persona sends a message: store it in their chat and queue a message update."""
        persona = self.persona(user_id)
        if reply_to_message_id is not None:
            replied = self.message(user_id, reply_to_message_id)
            if replied is None:
                raise WorldError(404, f"no message {reply_to_message_id} to reply to")
            body = {**body, "reply_to_message": dict(replied.data)}
        stored = self.store_message(persona.user_id, body, from_bot=False)
        chat = self.chat(user_id)
        if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        self.add_update("message", stored.data)
        return stored

    def send_text(
        self, user_id: int, text: str, *, reply_to_message_id: int | None = None
    ) -> StoredMessage:
        if not text.strip():
            raise WorldError(400, "text is required")
        body: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            body["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        return self.persona_message(user_id, body, reply_to_message_id=reply_to_message_id)

    def open_link(self, user_id: int, url: str) -> StoredMessage:
        """A persona opens a link to this bot, as a URL button's tap does in Telegram:
        ``https://t.me/<bot>?start=<payload>`` becomes that persona's ``/start <payload>``."""
        parsed = urlsplit(url.strip())
        host = parsed.netloc.lower()
        bot = parsed.path.strip("/").lower()
        if parsed.scheme not in ("https", "http", "tg") or host not in ("t.me", "telegram.me"):
            raise WorldError(400, "not a t.me link")
        if bot != self.bot_username.lower():
            raise WorldError(400, f"not a link to @{self.bot_username}")
        payload = (parse_qs(parsed.query).get("start") or [""])[0]
        return self.send_text(user_id, f"/start {payload}" if payload else "/start")

    def send_sticker(self, user_id: int, emoji: str = "👍") -> StoredMessage:
        stored = self.files.add(
            "sticker", tiny_png(128, 128, (250, 200, 60)), width=512, height=512
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self.persona_message(user_id, {"sticker": sticker})

    def send_photo(
        self, user_id: int, data: bytes | None = None, caption: str | None = None
    ) -> StoredMessage:
        data = data or tiny_png()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        stored = self.files.add("photo", data, mime_type=mime)
        body: dict[str, Any] = {"photo": stored.photo_sizes()}
        if caption:
            body["caption"] = caption
        return self.persona_message(user_id, body)

    def send_voice(self, user_id: int, duration: int = 3) -> StoredMessage:
        stored = self.files.add("voice", fake_voice(duration), mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }
        return self.persona_message(user_id, {"voice": voice})

    def send_contact(self, user_id: int, phone_number: str | None = None) -> StoredMessage:
        """The persona shares their own number, as a reply keyboard's request_contact button
        does (a made-up number unless one is given)."""
        persona = self.persona(user_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number or f"+86138{user_id % 10**8:08d}",
            "first_name": persona.first_name,
            "user_id": user_id,
        }
        if persona.last_name:
            contact["last_name"] = persona.last_name
        return self.persona_message(user_id, {"contact": contact})

    def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str = "document.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> StoredMessage:
        stored = self.files.add("document", data, file_name=file_name, mime_type=mime_type)
        body: dict[str, Any] = {"document": stored.document_json()}
        if caption:
            body["caption"] = caption
        return self.persona_message(user_id, body)

    def press_button(self, user_id: int, message_id: int, data: str) -> str:
        """A persona presses an inline button: queue a callback_query, return its id."""
        persona = self.persona(user_id)
        stored = self.message(user_id, message_id)
        if stored is None or not stored.from_bot:
            raise WorldError(404, f"no bot message {message_id} in chat {user_id}")
        query_id = str(hashlib.sha1(f"{user_id}:{self.next_update_id}".encode()).hexdigest()[:16])
        query_id = str(int(query_id, 16))
        self.callback_queries[query_id] = {
            "user_id": user_id,
            "message_id": message_id,
            "data": data,
            "answered": False,
        }
        instance = int(hashlib.sha1(f"{self.bot_id}:{user_id}".encode()).hexdigest()[:15], 16)
        self.add_update(
            "callback_query",
            {
                "id": query_id,
                "from": persona.user_json(),
                "message": dict(stored.data),
                "chat_instance": str(instance),
                "data": data,
            },
        )
        return query_id
