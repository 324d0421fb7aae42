"""A broadcast's progress screen: what its progress message says (counts, failures grouped by
reason, unreachable recipients), and where that message is (`track`), kept in the database so a
restarted bot keeps editing the same message. The loop that edits it is
`bot.delivery.progress_updater.ProgressUpdater`."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import BatchProgress, batch_progress
from bot.i18n import translate
from storage.models.broadcast import BroadcastProgress
from storage.models.org import Person
from storage.models.outbox import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# (batch id, locale, finished) → the buttons under the message (Refresh / Stop while it runs),
# built by the handlers (their inline keyboard, or None).
KeyboardFactory = Callable[[str, str, bool], Any]


@dataclass(frozen=True)
class ProgressScreen:
    text: str
    finished: bool
    shown: str  # what changed-detection compares


def track(
    session: AsyncSession, *, batch_id: str, chat_id: int, message_id: int, locale: str
) -> None:
    """Remember the progress message of a new broadcast (in the broadcast's transaction)."""
    session.add(
        BroadcastProgress(batch_id=batch_id, chat_id=chat_id, message_id=message_id, locale=locale)
    )


async def failure_reasons(session: AsyncSession, batch_id: str) -> Sequence[tuple[str, int]]:
    """Failed rows of the batch by reason, most frequent first."""
    count = func.count().label("n")
    rows = await session.execute(
        select(OutboxMessage.last_error, count)
        .where(OutboxMessage.batch_id == batch_id, OutboxMessage.status == OutboxStatus.FAILED)
        .group_by(OutboxMessage.last_error)
        .order_by(count.desc(), OutboxMessage.last_error)
    )
    return [(reason or "?", int(n)) for reason, n in rows]


async def unreachable_count(session: AsyncSession, batch_id: str) -> int:
    """Recipients of the batch the bot can no longer write to (blocked it, deactivated)."""
    chats = select(OutboxMessage.chat_id).where(OutboxMessage.batch_id == batch_id)
    return int(
        await session.scalar(
            select(func.count(Person.id)).where(
                Person.unreachable.is_(True), Person.telegram_id.in_(chats)
            )
        )
        or 0
    )


def _counts(counts: BatchProgress) -> dict[str, int]:
    return {
        "total": counts.total, "sent": counts.sent, "pending": counts.pending,
        "failed": counts.failed, "cancelled": counts.cancelled,
    }  # fmt: skip


async def screen(session: AsyncSession, batch_id: str, locale: str) -> ProgressScreen:
    """The progress while rows are pending; once none are, the final delivery report."""
    counts = await batch_progress(session, batch_id)
    shown = f"{counts.sent}/{counts.pending}/{counts.failed}/{counts.cancelled}"
    if counts.pending:
        return ProgressScreen(translate("broadcast.progress", locale, **_counts(counts)),
                              False, shown)  # fmt: skip
    lines = [
        translate(
            "broadcast.report", locale, **_counts(counts),
            unreachable=await unreachable_count(session, batch_id),
        )
    ]  # fmt: skip
    reasons = await failure_reasons(session, batch_id)
    if reasons:
        lines.append(translate("broadcast.report_reasons", locale))
        lines += [
            translate("broadcast.report_reason", locale, reason=html.escape(r[:200]), count=n)
            for r, n in reasons
        ]
    return ProgressScreen("\n".join(lines), True, shown + "/done")
