"""The periodic jobs the bot runs; each feature adds its scan here."""

from __future__ import annotations

from bot.scheduling.runner import PeriodicJob
from bot.settings import Settings


def all_jobs(settings: Settings) -> list[PeriodicJob]:
    """Every periodic job, in the order a tick runs them."""
    return []
