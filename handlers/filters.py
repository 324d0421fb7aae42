"""Router guards: who may reach the handlers below a router."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.domain.roles import Role
from storage.models.org import Person


class HasRole(Filter):
    """Passes when the current person holds any of `roles` (services check again on write)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, person: Person | None = None) -> bool:
        return person is not None and person.active and bool(person.roles & self.roles)


class IsPrivate(Filter):
    """Only private chats: the bot never converses in groups or channels."""

    async def __call__(self, event: TelegramObject, **data: Any) -> bool:
        chat = data.get("event_chat")
        return chat is not None and chat.type == "private"
