"""Campaigns (专项工作): an admin asks every post in some units to do one thing by a date.

Which reminders went out is not stored here: each is an outbox row keyed
``campaign:<id>:<person id>:<offset tag>``, so a job run twice enqueues it once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # bot.domain.campaign_rules.Requirement: powers / risks / measures / regrading.
    requirement: Mapped[str] = mapped_column(String(20))
    # A calendar date in the configured time zone: the work is due by the end of that day.
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None]

    units: Mapped[list[CampaignUnit]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="CampaignUnit.unit_id",
    )

    @property
    def unit_ids(self) -> list[int]:
        return [link.unit_id for link in self.units]


class CampaignUnit(Base):
    """A unit in a campaign's scope; its sub-units (departments) are in scope too."""

    __tablename__ = "campaign_units"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)

    campaign: Mapped[Campaign] = relationship(back_populates="units")
