"""Conversation state kept in the database so it survives a restart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class FsmRecord(Base):
    __tablename__ = "fsm_records"

    # Built from every StorageKey field (bot, chat, thread, user, business connection, destiny).
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any] | None]
