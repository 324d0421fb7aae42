"""A refusal the person should read: a message key plus values, rendered in their language."""

from __future__ import annotations

from typing import Any

from bot.domain.keys import N_


class ServiceError(Exception):
    """Raised by a service to refuse a request; handlers show `translate(key, **values)`."""

    def __init__(self, key: str, /, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class NotAllowed(ServiceError):
    """The person lacks the role or scope for this action."""

    DEFAULT_KEY = N_("errors.not_allowed")

    def __init__(self, key: str = DEFAULT_KEY, /, **values: Any) -> None:
        super().__init__(key, **values)
