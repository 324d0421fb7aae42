"""What `World` (bot/sandbox/state.py) holds and does that its mixins use, declared once for the
type checker; `World` itself defines all of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sandbox.files import FileStore
    from bot.sandbox.records import Chat, Notifier, Persona, StoredMessage


class WorldParts:
    """The base of `World`'s mixins (`PersonaActions`, `ChatViews`, `ChatContents`)."""

    if TYPE_CHECKING:
        bot_id: int
        bot_username: str
        next_update_id: int
        seq: int
        closing: bool
        changes: Notifier
        files: FileStore
        callback_queries: dict[str, dict[str, Any]]
        chats: dict[int, Chat]
        personas: dict[int, Persona]
        deliveries: list[dict[str, Any]]

        def persona(self, user_id: int) -> Persona: ...
        def bot_user(self) -> dict[str, Any]: ...
        def channel_json(self) -> dict[str, Any]: ...
        def chat(self, chat_id: int) -> Chat: ...
        def chat_json(self, chat_id: int) -> dict[str, Any]: ...
        def message(self, chat_id: int, message_id: int) -> StoredMessage | None: ...
        def store_message(
            self, chat_id: int, body: dict[str, Any], *, from_bot: bool
        ) -> StoredMessage: ...
        def add_update(self, kind: str, payload: dict[str, Any]) -> int | None: ...
