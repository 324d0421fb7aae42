"""The sandbox's in-memory world: personas, chats, messages, updates, files, commands, webhook.

The world knows nothing about HTTP: the Bot API (``bot_api``) and the control API
(``control_api``) both work through it. Every change a chat sees (a message, an edit, a
deletion, a callback answer) takes the next world-wide ``seq``, so readers can ask for
"everything after seq N" and wait for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from bot.sandbox.chat_contents import CHANNEL_ID, ChatContents
from bot.sandbox.files import FileStore
from bot.sandbox.limits import FaultConfig, FaultInjector, FloodConfig, FloodLimiter
from bot.sandbox.persona_actions import PersonaActions
from bot.sandbox.records import (
    Chat,
    Counters,
    Notifier,
    Persona,
    StoredMessage,
    WebhookState,
    WorldError,
)
from bot.sandbox.views import ChatViews

__all__ = [
    "CHANNEL_ID",
    "CHANNEL_USERNAME",
    "Chat",
    "Persona",
    "StoredMessage",
    "World",
    "WorldError",
]

CHANNEL_USERNAME = "qingfeng_public"
CHANNEL_TITLE = "清风公示"
FIRST_PERSONA_ID = 100001
# Update kinds Telegram leaves out unless asked for explicitly.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# How recently the bot must have polled to count as alive.
ALIVE_WITHIN_SECONDS = 5.0
PRIVATE_SCOPES = ("chat", "all_private_chats", "default")


class World(PersonaActions, ChatViews, ChatContents):
    """Everything the fake Telegram knows. Single-threaded: use it from the server's loop."""

    def __init__(
        self,
        token: str,
        bot_username: str = "qingfeng_bot",
        *,
        bot_name: str = "清风 Qingfeng",
        seed: int = 0,
        clock: Any = time.monotonic,
    ) -> None:
        head = token.partition(":")[0]
        self.token = token
        self.bot_id = int(head) if head.isdigit() else 7000000001
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.flood_config = FloodConfig()
        self.flood = FloodLimiter(self.flood_config, clock)
        self.faults = FaultInjector(FaultConfig(seed=seed))
        self.blocked: set[int] = set()
        self.changes = Notifier()  # chat output: messages, edits, deletions, notices
        self.update_signal = Notifier()  # new updates or webhook changes
        self.closing = False
        self.seq = 0
        self.next_update_id = 100000001
        self.poll_generation = 0
        self.polls_waiting = 0
        self.last_poll_at: float | None = None
        self.webhook = WebhookState()
        self.allowed_updates: list[str] | None = None
        self.commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]] = {}
        self.files = FileStore()
        self._clear_world()

    def _clear_world(self) -> None:
        self.personas: dict[int, Persona] = {}
        self.chats: dict[int, Chat] = {CHANNEL_ID: Chat(CHANNEL_ID)}
        self.updates: list[dict[str, Any]] = []
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.counters = Counters()
        self.files.clear()
        self.blocked.clear()
        self.flood.reset()

    def reset(self, *, commands: bool = False, webhook: bool = False) -> None:
        """Back to an empty world, keeping configuration, the bot's webhook and its commands.

        Update ids and seq keep counting up so a running bot's offset and a page's cursor stay
        valid.
        """
        self._wake_every_chat()  # their waits look again, at the new (empty) chats
        self._clear_world()
        if commands:
            self.commands.clear()
        if webhook:
            self.webhook = WebhookState()
        self._next_seq()
        self.changes.notify()
        self.update_signal.notify()

    def close(self) -> None:
        """Wake every long poll so the server can shut down promptly."""
        self.closing = True
        self._wake_every_chat()
        self.changes.notify()
        self.update_signal.notify()

    # -- identity -----------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def get_me(self) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def channel_json(self) -> dict[str, Any]:
        return {
            "id": CHANNEL_ID,
            "type": "channel",
            "title": CHANNEL_TITLE,
            "username": CHANNEL_USERNAME,
        }

    def chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id == CHANNEL_ID:
            return self.channel_json()
        return self.personas[chat_id].chat_json()

    def resolve_chat(self, value: int | str) -> int | None:
        """A chat id from an int or an '@username'; None when there is no such chat."""
        if isinstance(value, str):
            if value.lstrip("-").isdigit():
                value = int(value)
            elif value.lower() == f"@{CHANNEL_USERNAME}":
                return CHANNEL_ID
            else:
                return None
        if value == CHANNEL_ID or value in self.personas:
            return value
        return None

    def status(self) -> dict[str, Any]:
        """Is the bot process there: polling lately, or a webhook that isn't failing."""
        now = time.monotonic()
        ago = None if self.last_poll_at is None else round(now - self.last_poll_at, 2)
        if self.webhook.url:
            mode = "webhook"
            alive = self.webhook.last_error_date is None
        elif self.polls_waiting or (ago is not None and ago <= ALIVE_WITHIN_SECONDS):
            mode, alive = "polling", True
        else:
            mode, alive = ("polling" if ago is not None else "none"), False
        return {
            "alive": alive,
            "mode": mode,
            "last_poll_seconds_ago": ago,
            "bot": self.get_me(),
            "webhook": self.webhook_info(),
            "seq": self.seq,
        }

    # -- personas -----------------------------------------------------------------------

    def add_persona(
        self,
        name: str,
        language_code: str = "zh-hans",
        *,
        username: str | None = None,
        user_id: int | None = None,
        title: str = "",
        last_name: str | None = None,
    ) -> Persona:
        """Create a persona (or replace the one with this user_id); its chat id is its user id."""
        name = name.strip()
        if not name:
            raise WorldError(400, "name is required")
        if user_id is None:
            user_id = max([FIRST_PERSONA_ID - 1, *self.personas]) + 1
        elif user_id <= 0:
            raise WorldError(400, "user_id must be positive")
        persona = Persona(
            user_id=user_id,
            first_name=name,
            language_code=language_code or "en",
            last_name=last_name or None,
            username=(username or "").lstrip("@") or None,
            title=title,
        )
        self.personas[user_id] = persona
        self.chats.setdefault(user_id, Chat(user_id))
        return persona

    def add_personas(self, items: Iterable[Mapping[str, Any] | Any]) -> list[Persona]:
        """Create many personas from mappings or objects (e.g. the demo's ``DemoPersona``).

        Recognised keys/attributes: name, language_code (or lang), user_id (or telegram_id),
        username, title, last_name.
        """
        created = []
        for item in items:
            get = (
                item.get
                if isinstance(item, Mapping)
                else lambda k, d=None, o=item: getattr(o, k, d)
            )
            created.append(
                self.add_persona(
                    get("name") or "",
                    get("language_code") or get("lang") or "zh-hans",
                    username=get("username"),
                    user_id=get("user_id") or get("telegram_id"),
                    title=get("title") or "",
                    last_name=get("last_name"),
                )
            )
        return created

    def persona(self, user_id: int) -> Persona:
        persona = self.personas.get(user_id)
        if persona is None:
            raise WorldError(404, f"no persona {user_id}")
        return persona

    def persona_json(self, persona: Persona) -> dict[str, Any]:
        return {
            "user_id": persona.user_id,
            "chat_id": persona.user_id,
            "name": persona.name,
            "first_name": persona.first_name,
            "last_name": persona.last_name,
            "username": persona.username,
            "language_code": persona.language_code,
            "title": persona.title,
            "blocked": persona.user_id in self.blocked,
        }

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Block or unblock the bot as this persona, telling the bot like Telegram does."""
        persona = self.persona(user_id)
        if blocked == (user_id in self.blocked):
            return
        (self.blocked.add if blocked else self.blocked.discard)(user_id)
        member = {"status": "member", "user": self.bot_user()}
        kicked = {"status": "kicked", "user": self.bot_user(), "until_date": 0}
        self.add_update(
            "my_chat_member",
            {
                "chat": persona.chat_json(),
                "from": persona.user_json(),
                "date": int(time.time()),
                "old_chat_member": member if blocked else kicked,
                "new_chat_member": kicked if blocked else member,
            },
        )

    # -- updates ------------------------------------------------------------------------

    def update_allowed(self, kind: str) -> bool:
        allowed = self.webhook.allowed_updates if self.webhook.url else self.allowed_updates
        if not allowed:
            return kind not in NOT_BY_DEFAULT
        return kind in allowed

    def add_update(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update for the bot; None when the bot's allowed_updates leave it out."""
        if not self.update_allowed(kind):
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.counters.updates_created += 1
        self.update_signal.notify()
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """Forget updates before ``offset`` (Telegram's confirmation); negative keeps the tail."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
            "max_connections": self.webhook.max_connections,
        }
        if self.webhook.last_error_date is not None:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        if self.webhook.allowed_updates:
            info["allowed_updates"] = self.webhook.allowed_updates
        if not self.webhook.url:
            del info["max_connections"]
        return info

    # -- commands -----------------------------------------------------------------------

    def commands_for(self, user_id: int) -> tuple[list[dict[str, str]], str | None, str]:
        """The menu a persona sees: chat > all_private_chats > default, each with its language
        (the persona's base language, e.g. "zh" for "zh-hans") before no language."""
        persona = self.persona(user_id)
        lang = persona.language_code.split("-")[0].lower()
        for key in (("chat", user_id), ("all_private_chats",), ("default",)):
            for code in (lang, ""):
                found = self.commands.get((key, code))
                if found:
                    return found, key[0], code
        return [], None, ""
