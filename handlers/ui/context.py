"""What a handler gets from its update in one object: `ctx: Ctx` instead of four parameters.

`DbContextMiddleware` opens the update's session and loads the person; `ContextMiddleware`
(installed on the root router in handlers/setup.py, after the filters) bundles them with the
settings and the clock. A handler asks for it by name, like any aiogram dependency::

    async def open_power(query: CallbackQuery, callback_data: PowerCb, ctx: Ctx) -> None:
        power = await power_service.get_visible(ctx.session, ctx.person, callback_data.id)
        await send_card(query, POWER_CARD, ctx, power)

A screen renders from it too (a paged list's view, a card): `Screen` is the same object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.errors import ServiceError
from bot.domain.register_rules import local_today
from bot.i18n import resolve_locale
from bot.settings import Settings
from storage.models.org import Person, Post

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]  # a middleware's next step


def update_locale(data: Mapping[str, Any]) -> str:
    """The language the update's person reads, from the middleware data: their own choice,
    else their Telegram app's, else the default (`bot.i18n.resolve_locale`)."""
    person = data.get("person")
    user = data.get("event_from_user")
    return resolve_locale(
        person.language if person else None,
        user.language_code if user else None,
        data["settings"].default_locale,
    )


@dataclass(frozen=True)
class Ctx:
    """The update's unit of work and who sent it, with the settings and the clock."""

    session: AsyncSession
    person: Person
    settings: Settings
    clock: Clock

    def today(self) -> date:
        """Today in the configured TIMEZONE (deadlines and due dates are local days)."""
        return local_today(self.clock.now(), self.settings.timezone)

    async def own_post(self) -> Post:
        """The person's own post; without one, the refusal that they have none."""
        post = await self.session.get(Post, self.person.post_id) if self.person.post_id else None
        if post is None:
            raise ServiceError("register.no_post")
        return post


class ContextMiddleware(BaseMiddleware):
    """Adds `ctx` to the handler's data when the update has a person (every private chat)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        person = data.get("person")
        if person is not None and "session" in data:
            data["ctx"] = Ctx(data["session"], person, data["settings"], data["clock"])
        return await handler(event, data)
