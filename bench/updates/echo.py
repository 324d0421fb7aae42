"""The baseline: a bare aiogram bot that answers the same steps without any work of its own.

    python -m bench.updates.echo <bot api url> <token>

A text is echoed back with one "›" page button (`pg:e:1`); a press of it is answered and the
message edited, as Qingfeng's page buttons are. Polling the same way as `python -m bot run`.
"""

from __future__ import annotations

import asyncio
import sys

from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

PAGE = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="›", callback_data="pg:e:1")]]
)


async def echo(message: Message) -> None:
    await message.answer(message.text or "?", reply_markup=PAGE)


async def page(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(f"page {query.data} {query.id}", reply_markup=PAGE)


async def main(url: str, token: str) -> None:
    bot = Bot(
        token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    dp = Dispatcher()
    dp.message.register(echo, F.text)
    dp.callback_query.register(page)
    await dp.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
