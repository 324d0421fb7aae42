"""The sandbox world's records: personas, chats, stored messages, webhook state, counters."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any


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
    # The seq of this chat's latest change, and its own waiters: a wait on one chat is woken
    # by that chat only and checks one number (a hundred personas waiting each re-scanned
    # their whole chat at every change anywhere, most of the sandbox's CPU under load).
    changed_seq: int = 0
    changed: Notifier = field(default_factory=Notifier, repr=False, compare=False)


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
