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
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.ui.labels import list_label
from storage.repositories import org as org_repo

T = TypeVar("T")
Press = Callable[[int], CallbackData]  # a number (index, id, offset) → the button's data

PAGE_SIZE = 8  # choices on one page
LABEL_MAX = 60  # characters of a button's text (one line; a list's own labels are shorter)


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def nav_row(
    offset: int, total: int, page: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """‹ › for a page: those that lead somewhere (none on a single page)."""
    row = []
    if offset > 0:
        row.append(button(_("nav.previous"), page(max(0, offset - PAGE_SIZE))))
    if offset + PAGE_SIZE < total:
        row.append(button(_("nav.next"), page(offset + PAGE_SIZE)))
    return row


def page_nav(
    builder: InlineKeyboardBuilder, offset: int, total: int, page: Callable[[int], CallbackData]
) -> None:
    """‹ › under the choices, when there are pages before or after this one."""
    row = nav_row(offset, total, page)
    if row:
        builder.row(*row)


# The keyboards below are built as rows of buttons, not with aiogram's builder: the builder
# deep-copies its whole markup at every button added, which made a page of eight choices cost
# milliseconds of CPU on the hottest screens.
ROW_MAX = 8  # the builder's widest row


def _markup(
    rows: list[list[InlineKeyboardButton]], after: Sequence[InlineKeyboardButton] = ()
) -> InlineKeyboardMarkup:
    """The rows, then `after` as the builder's `button()` adds them: into the last row while
    it has room, then in new rows."""
    rows = [row for row in rows if row]
    for each in after:
        if rows and len(rows[-1]) < ROW_MAX:
            rows[-1].append(each)
        else:
            rows.append([each])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def reading(
    offset: int,
    total: int,
    page: Callable[[int], CallbackData],
    extra: Sequence[tuple[str, CallbackData]] = (),
) -> InlineKeyboardMarkup:
    """Only ‹ ›, then the `extra` buttons (a list whose lines are in the text)."""
    return _markup([nav_row(offset, total, page)], [button(t, data) for t, data in extra])


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
    rows = [[button(list_label(None, label(item), LABEL_MAX), choose(item))] for item in items]
    rows.append(nav_row(offset, total, page))
    return _markup(rows, [button(text, data) for text, data in extra])


def choices(
    labels: Sequence[str],
    press: Callable[[int], CallbackData],
    *,
    columns: int = 1,
    extra: Sequence[tuple[str, CallbackData]] = (),
) -> InlineKeyboardMarkup:
    """One button per label, pressing `press(index)`; `columns` to a row; then `extra`."""
    buttons = [
        button(list_label(None, text, LABEL_MAX), press(index))
        for index, text in enumerate(labels)
    ]
    buttons += [button(text[:LABEL_MAX], data) for text, data in extra]
    return _markup([buttons[at : at + columns] for at in range(0, len(buttons), columns)])


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
    rows = [[button(first[:LABEL_MAX], choose(0))]] if first is not None else []
    rows += [
        [button(list_label(None, str(name), LABEL_MAX), choose(int(str(item_id))))]
        for item_id, name in items
    ]
    rows.append(nav_row(offset, total, page))
    after = [button(last[:LABEL_MAX], choose(0))] if last is not None else []
    return _markup(rows, after)


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


def pressing(cb: type[CallbackData], action: StrEnum, field: str = "value") -> Press:
    """What a picker's button packs for a number (an index, an id, an offset):
    `cb(action=action, <field>=number)`."""
    return lambda number: cb(**{"action": action, field: number})


@dataclass(frozen=True)
class UnitPicker:
    """A flow's choice among every unit (by path), a page at a time: a unit's button packs
    `cb(action=choose, <field>=its id)`, ‹ › `cb(action=page, <field>=the offset)`.
    Usage: ``UNITS = UnitPicker(InviteCb, InviteAction.UNIT, InviteAction.PAGE)``, then
    ``await UNITS.keyboard(session, offset)``."""

    cb: type[CallbackData]
    choose: StrEnum
    page: StrEnum
    field: str = "value"

    async def keyboard(
        self, session: AsyncSession, offset: int, extra: Sequence[tuple[str, CallbackData]] = ()
    ) -> InlineKeyboardMarkup:
        units, total = await org_repo.units_page(session, offset, PAGE_SIZE)
        choose = pressing(self.cb, self.choose, self.field)
        return paged_choices(
            units,
            total,
            offset,
            label=lambda unit: unit.path,
            choose=lambda unit: choose(unit.id),
            page=pressing(self.cb, self.page, self.field),
            extra=extra,
        )


async def unit_names(session: AsyncSession, unit_ids: Sequence[int]) -> str:
    """The chosen units' paths, one a line, to write a multi-choice answer into its question."""
    return "\n".join(unit.path for unit in await org_repo.units_by_ids(session, unit_ids))
