"""Leaders' digest subscriptions, and files the outbox sends (a digest's chart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class DigestSubscription(Base):
    """One person's digest: how often, at which local hour, and what the last one said.

    `state` moves only through `bot.services.stats.digests.move` (table in
    `bot.domain.digest_rules`). `last_headline` is the last digest's headline numbers, for
    "what changed since"; `last_period` the period key it was for.
    """

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), unique=True
    )
    frequency: Mapped[str] = mapped_column(String(10))  # bot.domain.digest_rules.Frequency
    hour: Mapped[int] = mapped_column(SmallInteger)  # local hour, 0–23
    state: Mapped[str] = mapped_column(String(10), default="active", index=True)
    # From when slots count: a new or changed subscription waits for its next slot.
    since: Mapped[datetime]
    last_period: Mapped[str | None] = mapped_column(String(20))
    last_headline: Mapped[dict[str, Any] | None]
    last_sent_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutboxFile(Base):
    """Bytes an outbox row uploads (the outbox payload is JSON and names the file by id).

    Stored once per content (`sha256`), so a thousand digests of one chart share a row.
    """

    __tablename__ = "outbox_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
