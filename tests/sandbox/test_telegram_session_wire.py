"""The bot's own session on the wire: plain forms and files both arrive as aiogram sends them."""

from __future__ import annotations

from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app.wiring import create_bot
from bot.settings import Settings
from tests.sandbox.conftest import TOKEN, Sandbox


async def test_html_keyboards_and_files_arrive_whole(sandbox: Sandbox) -> None:
    world = sandbox.world
    wang = world.add_persona("王芳", "zh-hans")
    bot = create_bot(Settings(bot_token=TOKEN, telegram_api_base=sandbox.url, _env_file=None))
    try:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="下一页 ›", callback_data="pg:rk:10")]]
        )
        sent = await bot.send_message(
            wang.user_id, "<b>风险点</b> &amp; 措施 50%+", reply_markup=keyboard
        )
        assert sent.text == "风险点 & 措施 50%+"  # parsed as HTML (the default parse mode)
        stored = world.message(wang.user_id, sent.message_id)
        assert stored is not None and stored.markup == keyboard.model_dump(exclude_none=True)
        edited = await bot.edit_message_text(
            "<i>已提交</i>", chat_id=wang.user_id, message_id=sent.message_id
        )
        assert not isinstance(edited, bool) and edited.text == "已提交"
        document = await bot.send_document(
            wang.user_id, BufferedInputFile("甲,乙\n".encode(), filename="表.csv")
        )
        assert document.document is not None and document.document.file_name == "表.csv"
    finally:
        await bot.session.close()
