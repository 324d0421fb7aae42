"""The knobs publicity needs, read once from settings at the edge (handlers, jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.services.review import ReviewConfig
from bot.settings import Settings


@dataclass(frozen=True)
class PublicityConfig:
    length: timedelta  # PUBLICITY_DAYS
    channel_id: int | None  # PUBLIC_CHANNEL_ID
    bot_username: str | None  # for the deep links of channel posts
    channel_locale: str  # the language of the public channel's posts
    timezone: str
    review: ReviewConfig
    settings: Settings  # handed on to the outbox (quiet hours, locales)

    @classmethod
    def from_settings(cls, settings: Settings) -> PublicityConfig:
        return cls(
            length=timedelta(days=settings.publicity_days),
            channel_id=settings.public_channel_id,
            bot_username=(settings.bot_username or "").lstrip("@") or None,
            channel_locale=settings.default_locale,
            timezone=settings.timezone,
            review=ReviewConfig.from_settings(settings),
            settings=settings,
        )

    def deep_link(self, code: str) -> str | None:
        """The channel button's URL for an item, or None when the bot's username is unknown."""
        if not self.bot_username:
            return None
        return f"https://t.me/{self.bot_username}?start=fb_{code}"
