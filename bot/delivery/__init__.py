"""Delivery: everything the bot says to someone who did not just write to it.

- `outbox`: `enqueue()` a message in the caller's transaction (and per-person rendering);
- `pacing`: Telegram's flood limits as a shared budget; `middleware` applies it to every send;
- `quiet_hours`: when non-urgent messages may go out;
- `sender`: `OutboxSender`, which sends the outbox crash-safely (see its docstring to wire it);
- `reachability`: people who blocked the bot.
"""

from bot.delivery.middleware import PacingMiddleware, bulk_sending, install_pacing
from bot.delivery.outbox import (
    PRIORITY_BULK,
    PRIORITY_PERSONAL,
    PRIORITY_URGENT,
    BatchProgress,
    batch_progress,
    enqueue,
    enqueue_for_person,
    render_for_person,
)
from bot.delivery.pacing import Pacer
from bot.delivery.reachability import list_unreachable, mark_reachable, mark_unreachable
from bot.delivery.sender import OutboxSender
from bot.domain.quiet_hours import QuietHours

__all__ = [
    "PRIORITY_BULK",
    "PRIORITY_PERSONAL",
    "PRIORITY_URGENT",
    "BatchProgress",
    "OutboxSender",
    "Pacer",
    "PacingMiddleware",
    "QuietHours",
    "batch_progress",
    "bulk_sending",
    "enqueue",
    "enqueue_for_person",
    "install_pacing",
    "list_unreachable",
    "mark_reachable",
    "mark_unreachable",
    "render_for_person",
]
