"""Keeps Telegram's command menu in step with each person's roles and language."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, TelegramObject

from bot.domain.commands import commands_for
from bot.domain.roles import Role
from bot.i18n import translate
from handlers.ui.context import Handler, update_locale

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


def menus_set(bot: Bot) -> dict[int, tuple[frozenset[Role], str]]:
    """The menus this Bot object set, by chat: (roles, locale). Kept on the Bot itself, so a
    new process (or a test's new Bot) starts knowing none."""
    menus: dict[int, tuple[frozenset[Role], str]] | None = getattr(bot, "_qingfeng_menus", None)
    if menus is None:
        menus = {}
        setattr(bot, "_qingfeng_menus", menus)  # noqa: B010 (Bot has no slot for it)
    return menus


async def set_person_menu(bot: Bot, chat_id: int, roles: frozenset[Role], locale: str) -> None:
    """A person with roles gets a menu of their own, in their chosen language."""
    menus_set(bot)[chat_id] = (roles, locale)
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


async def keep_person_menu(bot: Bot, chat_id: int, roles: frozenset[Role], locale: str) -> None:
    """Sets the person's menu unless this process already set that same one (a person
    without roles keeps the default menu unless this process gave them one of their own)."""
    known = menus_set(bot).get(chat_id)
    if known != (roles, locale) and (roles or known is not None):
        await set_person_menu(bot, chat_id, roles, locale)


class MenuKeeper(BaseMiddleware):
    """After an update, re-sets the person's own menu when this process has not set it yet,
    or set it for other roles or another language (unless the handler just set it).

    Telegram keeps a chat's menu, but the bot cannot read it back cheaply: a person whose
    roles changed outside a conversation (an import, an admin's change, another replica)
    would otherwise keep an old menu, or the citizens' one, until they sent /start. This costs
    one `setMyCommands` per person with roles per process start; people without roles keep
    the default menu unless this process gave them one of their own."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot | None = data.get("bot")
        chat = data.get("event_chat")
        menus = menus_set(bot) if bot is not None else {}
        before = menus.get(chat.id) if chat is not None else None
        result = await handler(event, data)
        person = data.get("person")
        if bot is None or chat is None or chat.type != "private" or person is None:
            return result
        known = menus.get(chat.id)
        if known is not before:  # the handler set it (an invitation, a language change)
            return result
        # Read again after the handler: it may have changed the person's language.
        await keep_person_menu(bot, chat.id, frozenset(person.roles), update_locale(data))
        return result
