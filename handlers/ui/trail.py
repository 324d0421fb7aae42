"""A wizard's chat as a clean record of answers: one live keyboard, every answer written down.

A button step's press edits the pressed question in place: the chosen answer is written under
the question and the keyboard is removed (`answer_choice`); the next question then comes as a
new message below. A typed answer stays as the person's own message; the question it answered
loses its keyboard when the next question is asked (`ask` calls `drop_keyboard`), so only the
newest question ever has buttons. Usage::

    async def choose_type(query: CallbackQuery, callback_data: RiskCb, state: FSMContext) -> None:
        ...                                   # check the choice (a refusal keeps the keyboard)
        await answer_choice(query)            # "风险类型：\n✓ 岗位职责", no keyboard
        await state.set_state(Declare.focus)
        await ask(message_of(query), state)   # the next question, as a new message
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import html
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.ui.query import message_of

ASKED = "_asked"  # the flow's data: the id of the question message that still has a keyboard


def pressed_label(query: CallbackQuery) -> str:
    """The text of the button that was pressed (empty when it cannot be found)."""
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if not isinstance(markup, InlineKeyboardMarkup):
        return ""
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return ""


async def answer_choice(
    query: CallbackQuery, chosen: str | None = None, *, question: str | None = None
) -> Message:
    """Answer the press; edit the pressed message to its question (or `question`, HTML) with
    the chosen answer (`chosen`, else the pressed button's text) under it, without keyboard."""
    message = message_of(query)
    await query.answer()
    text = question if question is not None else message.html_text
    answer = chosen if chosen is not None else pressed_label(query)
    record = _("steps.chosen").format(question=text, chosen=html.quote(answer))
    with suppress(TelegramBadRequest):  # already edited (a double press): the record stands
        await message.edit_text(record)
    return message


async def drop_keyboard(message: Message, state: FSMContext) -> None:
    """Remove the keyboard of the last question asked in this flow (answered by typing), unless
    that question is `message` itself (a pressed step already wrote its answer in)."""
    asked = (await state.get_data()).get(ASKED)
    if not asked or asked == message.message_id or message.bot is None:
        return
    await state.update_data({ASKED: None})
    with suppress(TelegramBadRequest):  # gone, too old, or already without keyboard
        await message.bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=int(asked), reply_markup=None
        )


async def ask_below(
    message: Message,
    state: FSMContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a question (or preview) whose keyboard is built at run time as a new message below
    `message`; the earlier question loses its keyboard, this one is remembered as the live one.
    Usage: ``await ask_below(message_of(query), state, preview_text, confirm_keyboard)``."""
    await drop_keyboard(message, state)
    sent = await message.answer(text, reply_markup=keyboard)
    await remember_asked(state, sent)
    return sent


async def remember_asked(state: FSMContext, sent: Message) -> None:
    """Note the question just sent, when it has a keyboard (the next question drops it)."""
    await state.update_data({ASKED: sent.message_id if sent.reply_markup else None})
