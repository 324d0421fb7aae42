"""Keeps Telegram's command menu in step with each person's roles and language."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, TelegramObject

from bot.domain.commands import commands_for
from bot.domain.roles import Role
from bot.i18n import translate

log = logging.getLogger(__name__)


def _menu(roles: frozenset[Role], locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=spec.name, description=translate(spec.description_key, locale))
        for spec in commands_for(roles)
    ]


async def set_default_menus(bot: Bot) -> None:
    """Citizens' menu: zh for zh apps, en for every other language (Telegram's fallback)."""
    await bot.set_my_commands(_menu(frozenset(), "en"), scope=BotCommandScopeDefault())
    await bot.set_my_commands(
        _menu(frozenset(), "zh"), scope=BotCommandScopeDefault(), language_code="zh"
    )


async def set_person_menu(bot: Bot, chat_id: int, roles: frozenset[Role], locale: str) -> None:
    """A person with roles gets a menu of their own, in their chosen language."""
    try:
        if roles:
            await bot.set_my_commands(
                _menu(roles, locale), scope=BotCommandScopeChat(chat_id=chat_id)
            )
        else:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError:
        # The menu is a convenience; the command itself still answers, so never fail the flow.
        log.warning("could not set the command menu for chat %s", chat_id, exc_info=True)


class MenuKeeper(BaseMiddleware):
    """Re-sets a person's own menu the first time this process sees them, and whenever their
    roles or language differ from the menu it last set for them.

    Telegram keeps a chat's menu, but the bot cannot read it back cheaply: a person whose
    roles changed outside a conversation (an import, another replica's /start) or whose chat
    lost its menu would otherwise keep the citizens' menu until they sent /start. One
    `setMyCommands` per person per process start; people without roles keep the default menu
    unless this process gave them one of their own."""

    def __init__(self) -> None:
        self.menus: dict[int, tuple[frozenset[Role], str]] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        person = data.get("person")
        chat = data.get("event_chat")
        bot: Bot | None = data.get("bot")
        if person is not None and bot is not None and chat is not None and chat.type == "private":
            wanted = (frozenset(person.roles), str(data.get("locale") or ""))
            known = self.menus.get(chat.id)
            if known != wanted and (wanted[0] or known is not None):
                self.menus[chat.id] = wanted
                await set_person_menu(bot, chat.id, wanted[0], wanted[1])
        return await handler(event, data)
