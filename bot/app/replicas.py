"""Whether the configuration lets several replicas run (checked before anything heavy loads,
so a wrong configuration is refused at once)."""

from __future__ import annotations

from bot.i18n import N_
from bot.settings import Settings


def has_webhook_secret(settings: Settings) -> bool:
    return settings.webhook_secret is not None and bool(settings.webhook_secret.get_secret_value())


def replicas_problem(settings: Settings) -> str | None:
    """The message key of what stops several replicas from working, or None.

    Each replica without WEBHOOK_SECRET would register its own random secret, and every
    replica but the last one started would answer 401 to all of Telegram's requests. Long
    polling cannot be shared at all: Telegram answers 409 to a second getUpdates."""
    if settings.replicas <= 1:
        return None
    if not settings.webhook_url:
        return N_("cli.replicas_need_webhook")
    if not has_webhook_secret(settings):
        return N_("cli.replicas_need_secret")
    return None
