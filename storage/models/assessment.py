"""The annual assessment (强化考核): one row per year, and once confirmed a frozen result per unit.

While a year is a draft its figures are computed live from the register; confirming it writes
`AssessmentResult` rows holding the counts and the score as they were, so later changes to
the register never alter a confirmed year. The state moves only through
`bot.services.assessment.move` (the table is `bot.domain.assessment.TRANSITIONS`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Assessment(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    # bot.domain.assessment.AssessmentState: draft / confirmed.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The weights the scores were computed with (indicator → weight), kept with the result.
    weights: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    confirmed_at: Mapped[datetime | None]


class AssessmentResult(Base):
    """A unit's frozen result for a year: its counts, score and place at confirmation."""

    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("year", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # The unit's name and path then (a unit renamed later still shows as it was assessed).
    unit_name: Mapped[str] = mapped_column(String(200))
    unit_path: Mapped[str] = mapped_column(String(1000))
    # indicator → [done, total]
    counts: Mapped[dict[str, Any]]
    # The score ×10 as an integer (87.5 → 875): exact and portable; None when no data.
    score_tenths: Mapped[int | None]
    rank: Mapped[int | None]
