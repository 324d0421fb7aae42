"""The grading workflow's own records: per-risk review bookkeeping and the review timeline.

The risk point's state lives on the register's `RiskPoint.status` (one source of truth);
what only the five-step review needs — the social-review window, where a return came from,
the final level's reason, the re-grading date, a version for stale cards — lives here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class RiskReview(Base):
    """One row per risk point that has entered review."""

    __tablename__ = "risk_reviews"

    risk_id: Mapped[int] = mapped_column(
        ForeignKey("risk_points.id", ondelete="CASCADE"), primary_key=True
    )
    # Bumped by every transition: a card carries it, so a card older than the record is stale.
    version: Mapped[int] = mapped_column(default=0)
    # The rule's suggestion when the record last entered review (the score as shown, "3.4").
    suggested_level: Mapped[int | None]
    suggested_score: Mapped[str | None] = mapped_column(String(8))
    social_opened_at: Mapped[datetime | None]
    social_closes_at: Mapped[datetime | None] = mapped_column(index=True)
    # Where the last return came from: resubmission skips social review unless it was there.
    returned_from: Mapped[str | None] = mapped_column(String(30))
    # The level the graded-review tier settled on, and why if it differs from the suggestion.
    reviewed_level: Mapped[int | None]
    reviewed_reason: Mapped[str | None] = mapped_column(Text)
    # 组织审定: the final level, and the reason when it differs from the suggestion.
    final_level: Mapped[int | None]
    level_reason: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_at: Mapped[datetime | None]
    publicised_at: Mapped[datetime | None]
    # 定期调整: when the active risk is next due for re-grading.
    regrading_due_at: Mapped[datetime | None] = mapped_column(index=True)


class ReviewNote(Base):
    """A line of the review timeline: a comment, an agreement, a return, a level override …"""

    __tablename__ = "review_notes"
    __table_args__ = (Index("ix_review_notes_risk", "risk_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # comment / agree / return / dispute / override / reopen (see NoteKind in the service).
    kind: Mapped[str] = mapped_column(String(20))
    # The risk's state when written (a comment in social review vs one after a return).
    state: Mapped[str] = mapped_column(String(30))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
