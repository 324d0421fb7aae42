"""/help: exactly what this person's roles allow."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.domain.commands import commands_for
from bot.domain.roles import Role
from storage.models.org import Person


def help_text(roles: frozenset[Role]) -> str:
    lines = [_("help.title")]
    lines += [f"/{spec.name} — {_(spec.description_key)}" for spec in commands_for(roles)]
    return "\n".join(lines)


async def show_help(message: Message, person: Person) -> None:
    await message.answer(help_text(person.roles))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_help, Command("help"))
    return router
