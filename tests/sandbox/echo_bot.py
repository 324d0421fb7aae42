"""A tiny aiogram bot for testing the sandbox and the persona kit against real aiogram.

/start → "Hello <b>name</b>" with a 提交 button; pressing it edits that message to "已提交 ✅"
and answers the query; /alert → a button whose answer is an alert; other text → "echo: text";
stickers and photos are acknowledged.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.dispatcher import Dispatcher
from aiogram.filters import Command, CommandStart
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text


def submit_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="提交 Submit", callback_data="submit:1")]]
    )


async def start(message: Message) -> None:
    name = message.from_user.first_name if message.from_user else "?"
    await message.answer(**Text("Hello ", Bold(name)).as_kwargs(), reply_markup=submit_keyboard())


async def alert(message: Message) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Alert", callback_data="alert")]]
    )
    await message.answer("press for an alert", reply_markup=keyboard)


async def submitted(query: CallbackQuery) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text("已提交 ✅")
    await query.answer("OK")


async def alerted(query: CallbackQuery) -> None:
    await query.answer("注意 Attention", show_alert=True)


async def unknown_button(query: CallbackQuery) -> None:
    await query.answer(f"unknown: {query.data}")


async def sticker(message: Message) -> None:
    await message.answer("sticker received")


async def photo(message: Message) -> None:
    await message.answer("photo received")


async def echo(message: Message) -> None:
    await message.answer(f"echo: {message.text}")


def create_echo_dispatcher() -> Dispatcher:
    """A fresh dispatcher (routers attach to one dispatcher only)."""
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(alert, Command("alert"))
    router.message.register(sticker, F.sticker)
    router.message.register(photo, F.photo)
    router.message.register(echo, F.text)
    router.callback_query.register(submitted, F.data == "submit:1")
    router.callback_query.register(alerted, F.data == "alert")
    router.callback_query.register(unknown_button)
    dp = Dispatcher(storage=MemoryStorage())
    dp.include_router(router)
    return dp
