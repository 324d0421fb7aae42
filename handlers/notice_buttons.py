"""Packs the buttons services describe (`bot.services.buttons`) with the handlers' own
callback data classes, so each layout is defined once (wired in `bot.app.wiring`)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData

from bot.services.buttons import Button, ButtonKind
from handlers.callbacks import (
    RegisterReviewAction,
    RegisterReviewCb,
    RegradeAction,
    RegradeCb,
)

_PACKERS: dict[ButtonKind, Callable[[Button], CallbackData]] = {
    ButtonKind.REGRADE_OPEN: lambda button: RegradeCb(a=RegradeAction.OPEN, r=button.ids[0]),
    ButtonKind.POWER_REVIEW_OPEN: lambda button: RegisterReviewCb(
        action=RegisterReviewAction.OPEN, id=button.ids[0]
    ),
}


def pack_button(button: Button) -> str:
    """The callback data of a button a service described."""
    return _PACKERS[button.kind](button).pack()
