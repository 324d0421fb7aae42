"""The sandbox's in-memory world: personas, chats, messages, updates, files, commands, webhook.

The world knows nothing about HTTP: the Bot API (``bot_api``) and the control API
(``control_api``) both work through it. Every change a chat sees (a message, an edit, a
deletion, a callback answer) takes the next world-wide ``seq``, so readers can ask for
"everything after seq N" and wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.files import FileStore, fake_voice, tiny_png
from bot.sandbox.limits import FaultConfig, FaultInjector, FloodConfig, FloodLimiter

CHANNEL_ID = -1001000000001
CHANNEL_USERNAME = "qingfeng_public"
CHANNEL_TITLE = "清风公示"
FIRST_PERSONA_ID = 100001
# Update kinds Telegram leaves out unless asked for explicitly.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# How recently the bot must have polled to count as alive.
ALIVE_WITHIN_SECONDS = 5.0
PRIVATE_SCOPES = ("chat", "all_private_chats", "default")


class Notifier:
    """Wakes every waiter on each change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Return at the next notify() or after timeout seconds, whichever comes first."""
        if timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


@dataclass
class Persona:
    user_id: int
    first_name: str
    language_code: str
    last_name: str | None = None
    username: str | None = None
    title: str = ""

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def user_json(self) -> dict[str, Any]:
        """The User object as the bot sees it."""
        user: dict[str, Any] = {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        return self._with_names(user)

    def chat_json(self) -> dict[str, Any]:
        chat: dict[str, Any] = {
            "id": self.user_id,
            "type": "private",
            "first_name": self.first_name,
        }
        return self._with_names(chat)

    def _with_names(self, fields: dict[str, Any]) -> dict[str, Any]:
        """`fields` with the last name and username added where the person has them."""
        if self.last_name:
            fields["last_name"] = self.last_name
        if self.username:
            fields["username"] = self.username
        return fields


@dataclass
class StoredMessage:
    """One message in a chat; ``data`` is its current Telegram Message JSON."""

    chat_id: int
    message_id: int
    from_bot: bool
    data: dict[str, Any]
    seq: int
    markup: dict[str, Any] | None = None  # as the bot sent it, reply keyboards included
    deleted: bool = False

    @property
    def text(self) -> str:
        return str(self.data.get("text") or self.data.get("caption") or "")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def kind(self) -> str:
        for kind in ("photo", "document", "sticker", "voice", "contact"):
            if kind in self.data:
                return kind
        return "text"


@dataclass
class Chat:
    chat_id: int
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None
    notices: list[dict[str, Any]] = field(default_factory=list)
    last_action: tuple[str, float] | None = None


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    last_success_at: float | None = None


@dataclass
class Counters:
    calls: dict[str, int] = field(default_factory=dict)
    too_many_requests: int = 0
    injected_errors: int = 0
    dropped: int = 0
    slowed: int = 0
    blocked: int = 0
    bad_requests: int = 0
    updates_created: int = 0
    updates_delivered: int = 0
    webhook_failures: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(sorted(self.calls.items())),
            "too_many_requests": self.too_many_requests,
            "injected_errors": self.injected_errors,
            "dropped": self.dropped,
            "slowed": self.slowed,
            "blocked": self.blocked,
            "bad_requests": self.bad_requests,
            "updates_created": self.updates_created,
            "updates_delivered": self.updates_delivered,
            "webhook_failures": self.webhook_failures,
        }


class WorldError(Exception):
    """A control-API request the world can't honour; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class World:
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

    # -- chat contents ------------------------------------------------------------------

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

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
        stored = StoredMessage(chat_id, message_id, from_bot, data, self._next_seq(), markup)
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
        stored.seq = self._next_seq()
        self.changes.notify()

    def add_notice(self, chat_id: int, notice: dict[str, Any]) -> None:
        self.chat(chat_id).notices.append({**notice, "seq": self._next_seq()})
        self.changes.notify()

    # -- what personas do ---------------------------------------------------------------

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

    # -- views for the control API ------------------------------------------------------

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
        chat = self.chat(chat_id)
        return any(m.seq > after_seq for m in chat.messages.values()) or any(
            n["seq"] > after_seq for n in chat.notices
        )

    async def wait_chat(self, chat_id: int, after_seq: int, wait: float) -> dict[str, Any]:
        """The chat's changes after ``after_seq``, waiting up to ``wait`` seconds for one."""
        deadline = time.monotonic() + min(max(wait, 0.0), 60.0)
        while not self.closing and not self.has_changes(chat_id, after_seq):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self.changes.wait(remaining)
        return self.chat_view(chat_id, after_seq)
