"""Routing a conversation's steps: what was typed goes to the step's handler; anything else
(a sticker where text was asked, text where buttons were offered) gets the question again.

Usage::

    text_steps(router, (AddRule.kind, enter_kind), (AddRule.issued, enter_issued))
    button_steps(router, Declare.power, Declare.risk_type)
    presses(router, InviteCb, (unit_page, InviteAction.PAGE, InviteFlow.unit), ...)

    PRESSES = Presses(InboxCb)  # or each handler says which press it answers, where it is written:

    @PRESSES.on(InboxAction.OPEN)
    async def open_card(query: CallbackQuery, callback_data: InboxCb) -> None: ...

    PRESSES.register(router)  # in create_router
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.register_ui import ask, reask

H = TypeVar("H", bound=Callable[..., Any])
TYPED = (F.text, ~F.text.startswith("/"))  # typed text, not a command


async def reask_typed(message: Message, state: FSMContext) -> None:
    """Text where buttons were offered: a hint, then the same question with its buttons."""
    await ask(message, state, prefix=_("register.use_buttons"))


def text_steps(router: Router, *steps: tuple[State, Callable[..., Any]]) -> None:
    """Each step's typed text goes to its handler; anything else gets the hint and the question."""
    for step, handler in steps:
        router.message.register(handler, step, *TYPED)
        router.message.register(reask, step, ~F.text)


def button_steps(router: Router, *steps: State) -> None:
    """Steps answered by a button: whatever is sent instead gets the question again."""
    for step in steps:
        router.message.register(reask, step, ~F.text)
        router.message.register(reask_typed, step, *TYPED)


# The step is a State, or a filter over several (`StateFilter(SomeFlow)`).
Press = (
    tuple[Callable[..., Any], StrEnum] | tuple[Callable[..., Any], StrEnum, State | StateFilter]
)


def presses(router: Router, cb: type[CallbackData], *routes: Press, field: str = "action") -> None:
    """Each `(handler, action[, step])`: a press of `cb` with that action (in that step, when
    given) goes to the handler. `field` names the class's action field."""
    for handler, action, *step in routes:
        router.callback_query.register(handler, *step, cb.filter(getattr(F, field) == action))


class Presses:
    """The button presses one module answers, each declared above its handler (`on`), so the
    handler and the press it answers are read together; `register` adds them to a fresh Router
    (create_router builds one per Dispatcher). A press is told apart by its action (and step),
    never by the order of registration: declaring one twice is refused."""

    def __init__(self, cb: type[CallbackData], *, field: str = "action") -> None:
        self.cb = cb
        self.field = field
        self.routes: list[Press] = []

    def on(self, action: StrEnum, step: State | StateFilter | None = None) -> Callable[[H], H]:
        """A press of this module's callback data with `action` (in `step`, when given)."""

        def declare(handler: H) -> H:
            route: Press = (handler, action) if step is None else (handler, action, step)
            if any(tuple(known[1:]) == tuple(route[1:]) for known in self.routes):
                raise ValueError(f"{self.cb.__name__}: {action} is answered twice")
            self.routes.append(route)
            return handler

        return declare

    def register(self, router: Router) -> None:
        presses(router, self.cb, *self.routes, field=self.field)
