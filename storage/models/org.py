"""The organisation: units (a tree), posts, people and their roles."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.roles import Role
from storage.base import Base


class Unit(Base):
    """单位: district → bureau → department."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # district / bureau / department: the tier decides who reviews what.
    kind: Mapped[str] = mapped_column(String(20), default="bureau")
    is_pilot: Mapped[bool] = mapped_column(default=False)
    # Full path like 长安区/卫生局/医政科: the natural key for imports.
    path: Mapped[str] = mapped_column(String(1000), unique=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    posts: Mapped[list[Post]] = relationship(back_populates="unit", order_by="Post.id")


class Post(Base):
    """岗位 in a unit; leadership posts follow the three-step method."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("unit_id", "name"),
        # The overview joins risk points to their posts' units and leadership (0018).
        Index("ix_posts_counts", "unit_id", "is_leadership"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    is_leadership: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[Unit] = relationship(back_populates="posts")


class Person(Base):
    """Anyone the bot knows: staff bound by invitation, or a citizen who said /start."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    # The person's explicit choice; None means "follow Telegram's language".
    language: Mapped[str | None] = mapped_column(String(8))
    # The locale their Telegram app last asked for (kept from their updates), so notices sent
    # when they did not just write follow it too, until they choose with /language.
    telegram_locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when Telegram answers 403 (blocked / deactivated): stop sending.
    unreachable: Mapped[bool] = mapped_column(default=False)
    # When and why (Telegram's answer); shown to admins on /unreachable.
    unreachable_since: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))
    # Their first /start (None: never opened the bot; an imported person is welcomed, not
    # welcomed back).
    started_at: Mapped[datetime | None]

    unit: Mapped[Unit | None] = relationship()
    post: Mapped[Post | None] = relationship()
    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(a.role) for a in self.role_assignments)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class RoleAssignment(Base):
    """A role held by a person, scoped to a unit (a reviewer reviews that unit's subtree)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    person: Mapped[Person] = relationship(back_populates="role_assignments")
