"""Update ids already taken on, so a redelivered update is not handled twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ProcessedUpdate(Base):
    __tablename__ = "processed_updates"

    # Telegram's update ids are per bot; one bot per database.
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(index=True)
