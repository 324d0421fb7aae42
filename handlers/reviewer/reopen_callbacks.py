"""Callback data of the reopen screens (kept apart so /review can link to them)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ReopenCb(CallbackData, prefix="ro"):
    a: str  # next / ask
    r: int = 0  # risk id (next: the one after it)
    v: int = 0  # the version the card showed
