"""The re-grading card's callback data, shared by /risks (its "re-grade" button) and the
re-grading flow itself; the holder's notice packs the same shape (`regrading_button`)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RegradeCb(CallbackData, prefix="rg"):
    """Ids only; the service re-checks the holder and the state on every press."""

    a: str  # open / f(actors) / fsave / ms (measures) / m / mt / md / mw / mx / add / ok
    r: int = 0  # risk id
    m: int = 0  # measure id
