"""A local fake Telegram: Bot API server, control API and chat page (plain aiohttp, no aiogram)."""

from bot.sandbox.server import WORLD_KEY, create_sandbox_app
from bot.sandbox.state import CHANNEL_ID, CHANNEL_USERNAME, Persona, World

__all__ = ["CHANNEL_ID", "CHANNEL_USERNAME", "WORLD_KEY", "Persona", "World", "create_sandbox_app"]
