"""Keeps Telegram's command menu in step with each person's roles and language."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

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
