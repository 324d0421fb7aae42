"""Keyboard helpers shared by flows: paged choice lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

T = TypeVar("T")

PAGE_SIZE = 8


def paged_choices(
    items: Sequence[T],
    total: int,
    offset: int,
    label: Callable[[T], str],
    choose: Callable[[T], CallbackData],
    page: Callable[[int], CallbackData],
    extra: Sequence[tuple[str, CallbackData]] = (),
) -> InlineKeyboardMarkup:
    """One button per item, then ‹ › when there are more pages, then any extra buttons."""
    builder = InlineKeyboardBuilder()
    for item in items:
        builder.button(text=label(item)[:60], callback_data=choose(item))
    builder.adjust(1)
    nav = InlineKeyboardBuilder()
    if offset > 0:
        nav.button(text=_("nav.previous"), callback_data=page(max(0, offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < total:
        nav.button(text=_("nav.next"), callback_data=page(offset + PAGE_SIZE))
    builder.attach(nav)
    for text, data in extra:
        builder.row()
        builder.button(text=text, callback_data=data)
    return builder.as_markup()
