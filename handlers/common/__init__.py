"""Flows everyone has: /start, /help, /language, /cancel, and the fallback."""
