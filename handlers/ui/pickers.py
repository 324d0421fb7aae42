"""Pickers: a keyboard to choose one of a few options, or one of many (paged), by index or id.

The buttons carry an index or an id, never a name (a button is a request: the handler checks
the index against its list, the service checks the id). Usage::

    # one of a few fixed options, two to a row
    choices(
        [risk_type_label(v) for v in RISK_TYPES],
        lambda index: RiskCb(action=RiskAction.TYPE, value=index),
        columns=2,
    )

    # one of many people or units, a page at a time; "me" first (id 0)
    paged(
        people, offset=offset, total=total,
        choose=lambda person_id: RiskCb(action=RiskAction.WHO, id=person_id),
        page=lambda at: RiskCb(action=RiskAction.WHO_PAGE, value=at),
        first=_("risks.responsible_me"),
    )
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ui.labels import list_label
from storage.repositories import org as org_repo

T = TypeVar("T")

PAGE_SIZE = 8  # choices on one page
LABEL_MAX = 60  # characters of a button's text (one line; a list's own labels are shorter)


def page_nav(
    builder: InlineKeyboardBuilder, offset: int, total: int, page: Callable[[int], CallbackData]
) -> None:
    """‹ › under the choices, when there are pages before or after this one."""
    nav = InlineKeyboardBuilder()
    if offset > 0:
        nav.button(text=_("nav.previous"), callback_data=page(max(0, offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < total:
        nav.button(text=_("nav.next"), callback_data=page(offset + PAGE_SIZE))
    builder.attach(nav)


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
        builder.button(text=list_label(None, label(item), LABEL_MAX), callback_data=choose(item))
    builder.adjust(1)
    page_nav(builder, offset, total, page)
    for text, data in extra:
        builder.row()
        builder.button(text=text, callback_data=data)
    return builder.as_markup()


def choices(
    labels: Sequence[str],
    press: Callable[[int], CallbackData],
    *,
    columns: int = 1,
    extra: Sequence[tuple[str, CallbackData]] = (),
) -> InlineKeyboardMarkup:
    """One button per label, pressing `press(index)`; `columns` to a row; then `extra`."""
    builder = InlineKeyboardBuilder()
    for index, text in enumerate(labels):
        builder.button(text=list_label(None, text, LABEL_MAX), callback_data=press(index))
    for text, data in extra:
        builder.button(text=text[:LABEL_MAX], callback_data=data)
    builder.adjust(columns)
    return builder.as_markup()


def buttons(*table: tuple[str, CallbackData], columns: int = 1) -> InlineKeyboardMarkup:
    """A keyboard from a table of `(text, callback data)`, `columns` to a row. Usage::

    buttons((_("things.save"), ThingCb(action=SAVE)), (_("things.abort"), ThingCb(action=ABORT)))
    """
    builder = InlineKeyboardBuilder()
    for text, data in table:
        builder.button(text=text, callback_data=data)
    builder.adjust(columns)
    return builder.as_markup()


def paged(
    items: Sequence[Sequence[object]],
    *,
    offset: int,
    total: int,
    choose: Callable[[int], CallbackData],
    page: Callable[[int], CallbackData],
    first: str | None = None,
    last: str | None = None,
) -> InlineKeyboardMarkup:
    """One page of `(id, name)` choices with ‹ › buttons; `first` / `last` choose id 0."""
    builder = InlineKeyboardBuilder()
    if first is not None:
        builder.button(text=first[:LABEL_MAX], callback_data=choose(0))
    for item_id, name in items:
        builder.button(
            text=list_label(None, str(name), LABEL_MAX), callback_data=choose(int(str(item_id)))
        )
    builder.adjust(1)
    page_nav(builder, offset, total, page)
    if last is not None:
        builder.row()
        builder.button(text=last[:LABEL_MAX], callback_data=choose(0))
    return builder.as_markup()


def paged_stored(
    items: Sequence[Sequence[object]],
    offset: int,
    *,
    choose: Callable[[int], CallbackData],
    page: Callable[[int], CallbackData],
    last: str | None = None,
) -> InlineKeyboardMarkup:
    """`paged` over a whole list kept in the flow's data (a post's powers, a unit's rules)."""
    return paged(
        items[offset : offset + PAGE_SIZE],
        offset=offset,
        total=len(items),
        choose=choose,
        page=page,
        last=last,
    )


async def unit_choices(
    session: AsyncSession,
    offset: int,
    *,
    choose: Callable[[int], CallbackData],
    page: Callable[[int], CallbackData],
    extra: Sequence[tuple[str, CallbackData]] = (),
) -> InlineKeyboardMarkup:
    """One page of every unit (by path), each pressing `choose(unit_id)`; ‹ › turn `page`."""
    units, total = await org_repo.units_page(session, offset, PAGE_SIZE)
    return paged_choices(
        units,
        total,
        offset,
        label=lambda unit: unit.path,
        choose=lambda unit: choose(unit.id),
        page=page,
        extra=extra,
    )
