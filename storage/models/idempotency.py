"""Keys of confirmed drafts: a second press of the same "create" returns the first record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class IdempotencyKey(Base):
    """The record `person_id` created from the draft `key` (a wizard's conversation).

    The row is claimed before the record is made, in the same transaction, so two presses
    racing on two replicas meet at the primary key: the second waits, then finds the first's.
    """

    __tablename__ = "idempotency_keys"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # the record's table
    record_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
