"""/cancel leaves any conversation from any step."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _


async def cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(_("cancel.nothing"), reply_markup=ReplyKeyboardRemove())
        return
    await state.clear()
    await message.answer(_("cancel.done"), reply_markup=ReplyKeyboardRemove())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cancel, Command("cancel"))
    return router
