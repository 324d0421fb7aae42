"""The unit of work for tests that call services directly: services only flush, so a test
commits as the update middleware and the job runner do (once, at the end of the block; an
exception rolls the block back). `ServiceCall` passes a use case the plumbing every call
shares, so a test names only what differs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.settings import Settings
from storage.db import unit_of_work

T = TypeVar("T")

__all__ = ["ServiceCall", "unit_of_work"]


@dataclass(frozen=True)
class ServiceCall:
    """`await call(session, risks.withdraw_risk, actor=staff, risk_id=1)` is
    `risks.withdraw_risk(session, clock, actor=staff, risk_id=1, settings=settings)`."""

    clock: Clock
    settings: Settings

    def __call__(
        self, session: AsyncSession, service: Callable[..., Awaitable[T]], /, **kwargs: Any
    ) -> Awaitable[T]:
        return service(session, self.clock, settings=self.settings, **kwargs)
