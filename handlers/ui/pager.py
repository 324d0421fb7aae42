"""A paged list screen: the first page as a message, ‹ › buttons that edit it in place.

Every list shares one callback data, `PageCb(list=<ListName>, offset=...)`, so a list only says
how to render one page. Usage::

    async def _page(screen: Screen, offset: int) -> Page:
        items, total = await service.things_of(screen.session, screen.person, offset, PAGE_SIZE)
        keyboard = THINGS.keyboard(
            items, total, offset,
            label=lambda t: t.name,
            choose=lambda t: ThingCb(action=ThingAction.OPEN, id=t.id),
            extra=[(_("things.add"), ThingCb(action=ThingAction.ADD))],
        )
        return _("things.title").format(total=total), keyboard

    THINGS = Pager(ListName.THINGS, _page)

    THINGS.register(router, command="things")  # /things shows page one; ‹ › turn it

`Pager.send(message, screen)` shows the first page from any other handler.

A refusal while rendering (no post, say) propagates to handlers/errors.py like any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.callbacks import ListName, PageCb
from handlers.ui.context import Ctx
from handlers.ui.pickers import paged_choices, reading
from handlers.ui.query import message_of

T = TypeVar("T")
Page = tuple[str, InlineKeyboardMarkup]


Screen = Ctx  # what rendering a screen may need from the update


View = Callable[[Screen, int], Awaitable[Page]]


class Pager:
    """One paged list: `view(screen, offset)` renders the page at `offset`."""

    def __init__(self, name: ListName, view: View, *, leaves_flow: bool = True) -> None:
        self.name = name
        self.view = view
        self.leaves_flow = leaves_flow  # its command ends a flow under way

    def page_button(self, offset: int) -> PageCb:
        return PageCb(list=self.name, offset=offset)

    def keyboard(
        self,
        items: Sequence[T],
        total: int,
        offset: int,
        *,
        label: Callable[[T], str],
        choose: Callable[[T], CallbackData],
        extra: Sequence[tuple[str, CallbackData]] = (),
    ) -> InlineKeyboardMarkup:
        """One button per item, ‹ › when there are more pages, then the `extra` buttons."""
        return paged_choices(
            items, total, offset, label=label, choose=choose, page=self.page_button, extra=extra
        )

    def reading_keyboard(
        self, total: int, offset: int, *, extra: Sequence[tuple[str, CallbackData]] = ()
    ) -> InlineKeyboardMarkup:
        """A list to read (its lines are in the text): only ‹ ›, then the `extra` buttons."""
        return reading(offset, total, self.page_button, extra)

    async def send(self, message: Message, screen: Screen) -> None:
        """The first page, as a new message."""
        text, keyboard = await self.view(screen, 0)
        await message.answer(text, reply_markup=keyboard)

    async def turn(self, query: CallbackQuery, callback_data: PageCb, ctx: Ctx) -> None:
        """A ‹ › press: the same message, edited to the page asked for."""
        text, keyboard = await self.view(ctx, max(0, callback_data.offset))
        await query.answer()
        # The page shown, pressed again (a double tap): Telegram refuses an edit that changes
        # nothing, and nothing is wrong.
        try:
            await message_of(query).edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                raise

    async def show(self, message: Message, state: FSMContext, ctx: Ctx) -> None:
        """The list's command: the first page (leaving any flow, when the list says so)."""
        if self.leaves_flow:
            await state.clear()
        await self.send(message, ctx)

    def register(self, router: Router, *, command: str | None = None) -> None:
        """The ‹ › buttons, and the command that shows the list (when it has one)."""
        if command is not None:
            router.message.register(self.show, Command(command))
        router.callback_query.register(self.turn, PageCb.filter(F.list == self.name))
