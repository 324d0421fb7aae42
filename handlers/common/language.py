"""/language: switch zh ⇄ en; stored on the person, so it outlives restarts."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LOCALES
from bot.services.people import set_language
from handlers.callbacks import LanguageChoice
from handlers.command_menu import set_person_menu
from handlers.ui.context import Ctx
from handlers.ui.labels import LANGUAGE, label


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for locale in LOCALES:
        builder.button(text=label(LANGUAGE, locale), callback_data=LanguageChoice(locale=locale))
    return builder.as_markup()


async def ask_language(message: Message) -> None:
    await message.answer(_("language.choose"), reply_markup=language_keyboard())


async def choose_language(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    ctx: Ctx,
    i18n: I18n,
    bot: Bot,
) -> None:
    await set_language(ctx.session, ctx.clock, ctx.person, callback_data.locale)
    # Reply in the new language at once, not from the next message on.
    with i18n.use_locale(callback_data.locale):
        await query.answer()
        if query.message is not None:
            await bot.edit_message_text(
                text=_("language.changed"),
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )
    if ctx.person.roles and query.message is not None:
        await set_person_menu(bot, query.message.chat.id, ctx.person.roles, callback_data.locale)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_language, Command("language"))
    router.callback_query.register(choose_language, LanguageChoice.filter(F.locale.in_(LOCALES)))
    return router
