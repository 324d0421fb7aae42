"""The Bot API methods the sandbox implements, over the world, independent of HTTP.

Each method registers itself by name (`method_kit.method`) when its module is imported:
messages in `methods_messages`, the bot's commands and settings in `methods_bot`.
"""

from __future__ import annotations

from bot.sandbox import methods_bot, methods_messages
from bot.sandbox.method_kit import CANONICAL, METHODS

__all__ = ["CANONICAL", "METHODS", "methods_bot", "methods_messages"]
