"""A broadcast's live progress message: where it is, so any process (also after a restart)
keeps editing the same message until the final report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class BroadcastProgress(Base):
    __tablename__ = "broadcast_progress"

    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    locale: Mapped[str] = mapped_column(String(8))  # the admin's language when they sent it
    # The counts last shown ("sent/pending/failed/cancelled"): an edit only when they move.
    shown: Mapped[str | None] = mapped_column(String(80))
    edited_at: Mapped[datetime | None]
    # Set once the final report is shown: the updater forgets the batch.
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
