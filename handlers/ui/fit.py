"""Cards that fit one message: a card longer than Telegram's limit shows its first lines with its
buttons, and the whole text follows as a file ("全文"), so a long record can still be acted on.

Usage::

    await answer_fitted(message, text, reply_markup=keyboard, name=f"risk-{risk.id}")
    await edit_fitted(message_of(query), text, reply_markup=keyboard, name=...)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.text_length import CARD_LIMIT, fit_html, plain_text


def fitted(text: str) -> tuple[str, bool]:
    """The card's text within a message (with a line saying the rest is in the file), and
    whether it was cut."""
    return fit_html(text, CARD_LIMIT, more=_("card.cut"))


async def send_full_text(message: Message, text: str, name: str) -> None:
    """The whole card as a UTF-8 text file, under the card."""
    body = plain_text(text).encode("utf-8")
    await message.answer_document(
        BufferedInputFile(body, filename=f"{name}.txt"), caption=_("card.full_text")
    )


async def answer_fitted(
    message: Message, text: str, *, reply_markup: InlineKeyboardMarkup | None = None, name: str
) -> None:
    """Send the card as a new message; when cut, the full text follows as a file."""
    await _show_fitted(message, message.answer, text, reply_markup, name)


async def edit_fitted(
    message: Message, text: str, *, reply_markup: InlineKeyboardMarkup | None = None, name: str
) -> None:
    """Show the card in the pressed message; when cut, the full text follows as a file."""
    await _show_fitted(message, message.edit_text, text, reply_markup, name)


async def _show_fitted(
    message: Message,
    show: Callable[..., Awaitable[object]],
    text: str,
    reply_markup: InlineKeyboardMarkup | None,
    name: str,
) -> None:
    shown, cut = fitted(text)
    await show(shown, reply_markup=reply_markup)
    if cut:
        await send_full_text(message, text, name)
