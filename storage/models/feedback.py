"""Citizens' feedback (意见反馈) on publicised risk points.

`Feedback` is what officials work with; it never says who wrote it. The link from an item to
the person who sent it lives only in `FeedbackSender`, which the officials' queries (inbox,
cards, notices, exports, figures) never read: it is used to deliver the answer, to show a
person their own items (/mine, /track) and to apply the per-person limits. A signed item
carries the name (and phone) its sender chose to give, on the item itself.

The status is written only by `bot.services.feedback.moves.move()` (the table in
`bot.domain.feedback`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base

CODE_LENGTH = 12  # QF-XXXX-XXXX


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_status_created", "status", "created_at"),
        Index("ix_feedback_unit_created", "unit_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The receipt code the sender tracks it by (40 random bits, bot.domain.feedback).
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("publicity_items.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("publicity_rounds.id"))
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    level: Mapped[int | None]  # the risk's level as publicised
    kind: Mapped[str] = mapped_column(String(12))  # comment / objection / misconduct
    text: Mapped[str] = mapped_column(Text)
    # Photos and documents by Telegram file_id: [{"type": "photo", "file_id": ...}, ...].
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    anonymous: Mapped[bool] = mapped_column(default=True)
    signed_name: Mapped[str | None] = mapped_column(String(100))
    signed_phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="received")
    version: Mapped[int] = mapped_column(default=0)  # bumped by every move: stale buttons
    # Who answers (分级负责): a tier and its unit (None: the commission).
    route_tier: Mapped[str] = mapped_column(String(12))
    route_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # When the current wait began (the submission, or a 不满意 appeal) and its deadline.
    waiting_since: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    ladder_step: Mapped[int] = mapped_column(default=0)  # bot.domain.feedback.Step taken
    created_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]  # first answer, reopen or duplicate
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    answered_at: Mapped[datetime | None]
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(12))
    rated_at: Mapped[datetime | None]
    appealed: Mapped[bool] = mapped_column(default=False)  # 不满意 once: a second answer
    first_answer: Mapped[str | None] = mapped_column(Text)  # kept when appealed
    disposition: Mapped[str | None] = mapped_column(String(12))
    disposition_note: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    disposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    disposed_at: Mapped[datetime | None]


class FeedbackSender(Base):
    """Who sent an item: read only to deliver the answer, for /mine and /track, and for the
    per-person limits — never by an official's query."""

    __tablename__ = "feedback_senders"
    __table_args__ = (
        UniqueConstraint("person_id", "text_key"),
        Index("ix_feedback_senders_person_created", "person_id", "created_at"),
    )

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # A digest of the text as compared for "identical" (bot.domain.feedback.dedup_key).
    text_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class FeedbackLookupMiss(Base):
    """A wrong code given to /track: counted per person for the rate limit."""

    __tablename__ = "feedback_lookup_misses"
    __table_args__ = (Index("ix_feedback_lookup_misses_person_at", "person_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime]
