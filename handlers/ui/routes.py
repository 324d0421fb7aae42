"""Routing a conversation's steps: what was typed goes to the step's handler; anything else
(a sticker where text was asked, text where buttons were offered) gets the question again.

Usage::

    text_steps(router, (AddRule.kind, enter_kind), (AddRule.issued, enter_issued))
    button_steps(router, Declare.power, Declare.risk_type)
    presses(router, InviteCb, (unit_page, InviteAction.PAGE, InviteFlow.unit), ...)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.register_ui import ask, reask

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


Press = tuple[Callable[..., Any], StrEnum] | tuple[Callable[..., Any], StrEnum, State]


def presses(router: Router, cb: type[CallbackData], *routes: Press, field: str = "action") -> None:
    """Each `(handler, action[, step])`: a press of `cb` with that action (in that step, when
    given) goes to the handler. `field` names the class's action field."""
    for handler, action, *step in routes:
        router.callback_query.register(handler, *step, cb.filter(getattr(F, field) == action))
