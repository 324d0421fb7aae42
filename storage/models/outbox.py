"""The outbox: every message the bot sends on its own initiative, one row each."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender, under a lease
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    """A proactive message: rendered when enqueued, sent by `bot.app.sender`."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The sender's claim: due rows of a status, best priority first.
        Index("ix_outbox_due", "status", "priority", "next_attempt_at"),
        Index("ix_outbox_chat_status", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    # What it is about (e.g. remind.measure), for reports and cancelling a kind.
    kind: Mapped[str] = mapped_column(String(60))
    # Lower goes first: personal notices 10, bulk 100.
    priority: Mapped[int] = mapped_column(default=100)
    # The same logical message enqueued twice is stored once (NULLs never collide).
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # {"method": "sendMessage", "text": ..., "parse_mode": "HTML", "reply_markup": {...}}
    payload: Mapped[dict[str, Any]]
    urgent: Mapped[bool] = mapped_column(default=False)  # ignores quiet hours
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)  # failed transient attempts
    throttled: Mapped[int] = mapped_column(default=0)  # 429s received
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # A broadcast's rows share one id, to report sent / pending / failed.
    batch_id: Mapped[str | None] = mapped_column(String(64), index=True)
