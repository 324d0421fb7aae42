"""A card: how one kind of record shows — its text, and the buttons for what the viewer may do.

A card renders from the record and the screen (session, viewer, settings, clock), so the same
card serves "open" from a list, a refresh after an action, and a notice. Usage::

    class ThingCard:
        async def render(self, screen: Screen, thing: Thing) -> Page:
            text = _("things.card").format(name=quote(thing.name))
            builder = InlineKeyboardBuilder()
            if may_edit(screen.person, thing):
                builder.button(text=_("things.edit"), callback_data=ThingCb(...))
            return text, builder.as_markup()

    THING_CARD = ThingCard()

    async def open_thing(query: CallbackQuery, ..., session, person, settings, clock) -> None:
        thing = await service.get_visible(session, person, callback_data.id)  # or refuses
        await send_card(query, THING_CARD, Screen(session, person, settings, clock), thing)
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from aiogram.types import CallbackQuery

from handlers.ui.fit import answer_fitted
from handlers.ui.pager import Page, Screen
from handlers.ui.query import message_of

T_contra = TypeVar("T_contra", contravariant=True)


class Card(Protocol[T_contra]):
    """Renders one record for the viewer in `screen`."""

    async def render(self, screen: Screen, record: T_contra) -> Page: ...


async def send_card(
    query: CallbackQuery, card: Card[T_contra], screen: Screen, record: T_contra
) -> None:
    """Answer the press and show the record's card as a new message under the pressed one."""
    text, keyboard = await card.render(screen, record)
    await query.answer()
    await answer_fitted(message_of(query), text, reply_markup=keyboard, name="card")
