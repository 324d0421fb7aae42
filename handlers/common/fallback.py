"""What nobody else handled: a hint, never silence. Included last."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.commands import COMMANDS
from storage.models.org import Person

_KNOWN = {spec.name: spec for spec in COMMANDS}


async def command_not_available(message: Message, person: Person | None) -> None:
    name = (message.text or "/").split()[0][1:].split("@")[0].lower()
    if name in _KNOWN:
        await message.answer(_("fallback.command_not_allowed").format(command=name))
    else:
        await message.answer(_("fallback.unknown_command"))


async def outside_any_flow(message: Message) -> None:
    await message.answer(_("fallback.unknown_text"))


async def unexpected_in_flow(message: Message) -> None:
    """A flow step got something it cannot use (a sticker where text was asked, say)."""
    await message.answer(_("fallback.in_flow"))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("fallback.stale_button"), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(command_not_available, F.text.startswith("/"))
    router.message.register(outside_any_flow, StateFilter(None))
    router.message.register(unexpected_in_flow)
    router.callback_query.register(stale_button)
    return router
