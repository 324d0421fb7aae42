"""Publicity rounds (社会公示): approved risk points shown to the public for a period.

A round (`PublicityRound`) has a life of its own — scheduled → open → closed, the table in
`bot.domain.publicity` — and is moved only by `bot.services.publicity.rounds.move()`.
Each risk a round shows is a `PublicityItem` with an unguessable public code: the channel's
deep links (``/start fb_<code>``) and the citizens' cards carry that code or the item id, never
a risk id a stranger could count through. `PublicityPost` remembers what the round put in the
public channel (so the close can edit it), and `PublicitySubscription` who wants to be told.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base

CODE_MAX = 20  # `fb_<code>` must fit a /start payload (64 characters)


class PublicityRound(Base):
    """A 公示期: which units, from when to when, and where it stands."""

    __tablename__ = "publicity_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # bot.domain.publicity.RoundState: scheduled / open / closed. Written only by move().
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    # The scope: every unit, or the chosen units (each including its departments).
    all_units: Mapped[bool] = mapped_column(default=True)
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Risks already active (publicised before) go in again when set.
    include_active: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    opened_at: Mapped[datetime | None]
    # Set once the opening is complete: risks publicised, posts and notices queued.
    announced_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))


class PublicityItem(Base):
    """One risk point shown in one round; `code` is its public handle (deep links)."""

    __tablename__ = "publicity_items"
    __table_args__ = (
        UniqueConstraint("round_id", "risk_id"),
        Index("ix_publicity_items_round_unit", "round_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("publicity_rounds.id", ondelete="CASCADE"))
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    # The unit of the risk's post (a department where the post sits in one).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # The level as announced (the risk may be re-graded later).
    level: Mapped[int | None]
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)


class PublicityPost(Base):
    """A message the round put in the public channel: the header, or one part of a unit's list."""

    __tablename__ = "publicity_posts"
    __table_args__ = (Index("ix_publicity_posts_round", "round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("publicity_rounds.id", ondelete="CASCADE"))
    # None for the header post.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(default=0)  # order in the channel
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # Telegram's id once the outbox sent it (copied from the outbox row when needed).
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The outbox row's dedup key: how the post finds its sent message.
    outbox_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The text as posted, so the close can edit it to say the round closed.
    text: Mapped[str] = mapped_column(Text, default="")
    reply_markup: Mapped[dict[str, object] | None] = mapped_column(JSON)


class PublicitySubscription(Base):
    """Who wants to hear of rounds opening and closing: all units, or the chosen ones."""

    __tablename__ = "publicity_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), unique=True
    )
    all_units: Mapped[bool] = mapped_column(default=False)
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
