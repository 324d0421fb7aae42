"""Outbox wake: a commit of a session that enqueued something wakes this process's senders.

`bot.delivery.outbox` flags the session when it adds a row; after the commit every running
`OutboxSender` looks for due rows at once instead of at its next poll. A rollback drops the
flag with the rows. Other processes' rows are found by polling.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.delivery.outbox import SESSION_FLAG

Wake = Callable[[], None]
_wakers: set[Wake] = set()


def add_waker(wake: Wake) -> None:
    _wakers.add(wake)


def discard_waker(wake: Wake) -> None:
    _wakers.discard(wake)


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(SESSION_FLAG, False):
        for wake in list(_wakers):
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(SESSION_FLAG, None)
