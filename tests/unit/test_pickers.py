"""The pickers build their rows by hand (aiogram's builder deep-copies its markup at every
button): the keyboards must be exactly those the builder made, buttons, rows and order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import get_i18n
from handlers.callbacks import ListName, PageCb
from handlers.ui.labels import list_label
from handlers.ui.pickers import (
    LABEL_MAX,
    PAGE_SIZE,
    choices,
    page_nav,
    paged,
    paged_choices,
    reading,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    i18n = get_i18n()
    with i18n.context(), i18n.use_locale("en"):
        yield


def page(at: int) -> CallbackData:
    return PageCb(list=ListName.RISKS, offset=at)


# The builder-made keyboards, as the pickers made them before.
def built_nav(builder: InlineKeyboardBuilder, offset: int, total: int) -> None:
    nav = InlineKeyboardBuilder()
    if offset > 0:
        nav.button(text=_("nav.previous"), callback_data=page(max(0, offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < total:
        nav.button(text=_("nav.next"), callback_data=page(offset + PAGE_SIZE))
    builder.attach(nav)


def built_paged_choices(
    items: Sequence[str], total: int, offset: int, extra: Sequence[tuple[str, CallbackData]]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for n, item in enumerate(items):
        builder.button(text=list_label(None, item, LABEL_MAX), callback_data=page(n))
    builder.adjust(1)
    built_nav(builder, offset, total)
    for text, data in extra:
        builder.row()
        builder.button(text=text, callback_data=data)
    return builder.as_markup()


def built_choices(
    labels: Sequence[str], columns: int, extra: Sequence[tuple[str, CallbackData]]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for index, text in enumerate(labels):
        builder.button(text=list_label(None, text, LABEL_MAX), callback_data=page(index))
    for text, data in extra:
        builder.button(text=text[:LABEL_MAX], callback_data=data)
    builder.adjust(columns)
    return builder.as_markup()


def built_paged(
    items: Sequence[tuple[int, str]], offset: int, total: int, first: str | None, last: str | None
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if first is not None:
        builder.button(text=first[:LABEL_MAX], callback_data=page(0))
    for item_id, name in items:
        builder.button(text=list_label(None, name, LABEL_MAX), callback_data=page(item_id))
    builder.adjust(1)
    built_nav(builder, offset, total)
    if last is not None:
        builder.row()
        builder.button(text=last[:LABEL_MAX], callback_data=page(0))
    return builder.as_markup()


EXTRAS: list[list[tuple[str, CallbackData]]] = [
    [],
    [("新建", page(99))],
    [("a", page(97)), ("b" * 80, page(98))],
    [(str(n), page(n)) for n in range(10)],
]
PAGES = [(0, 0), (0, 5), (0, 8), (0, 9), (8, 17), (16, 17), (8, 16)]  # (offset, total)


def _items(offset: int, total: int) -> list[str]:
    return [f"风险点 {n}\n第二行" + "长" * n * 5 for n in range(offset, min(total, offset + 8))]


@pytest.mark.parametrize(("offset", "total"), PAGES)
@pytest.mark.parametrize("extra", EXTRAS)
def test_paged_choices_and_reading_match_the_builder(
    offset: int, total: int, extra: list[tuple[str, CallbackData]]
) -> None:
    items = _items(offset, total)
    label: Callable[[str], str] = str
    made = paged_choices(
        items, total, offset, label=label, choose=lambda item: page(items.index(item)),
        page=page, extra=extra,
    )  # fmt: skip
    assert made == built_paged_choices(items, total, offset, extra)
    assert reading(offset, total, page, extra) == built_paged_choices([], total, offset, extra)


@pytest.mark.parametrize("columns", [1, 2, 3])
@pytest.mark.parametrize("extra", EXTRAS)
def test_choices_match_the_builder(columns: int, extra: list[tuple[str, CallbackData]]) -> None:
    labels = ["一", "二二", "三" * 70, "四", "五"]
    made = choices(labels, page, columns=columns, extra=extra)
    assert made == built_choices(labels, columns, extra)


@pytest.mark.parametrize(("offset", "total"), PAGES)
@pytest.mark.parametrize("first", [None, "我自己"])
@pytest.mark.parametrize("last", [None, "其他"])
def test_paged_matches_the_builder(
    offset: int, total: int, first: str | None, last: str | None
) -> None:
    items = [(n + 1, name) for n, name in enumerate(_items(offset, total))]
    made = paged(items, offset=offset, total=total, choose=page, page=page, first=first, last=last)
    assert made == built_paged(items, offset, total, first, last)


@pytest.mark.parametrize(("offset", "total"), PAGES)
def test_page_nav_on_a_builder_matches(offset: int, total: int) -> None:
    ours, theirs = InlineKeyboardBuilder(), InlineKeyboardBuilder()
    ours.button(text="x", callback_data=page(1))
    theirs.button(text="x", callback_data=page(1))
    page_nav(ours, offset, total, page)
    built_nav(theirs, offset, total)
    assert ours.as_markup() == theirs.as_markup()
