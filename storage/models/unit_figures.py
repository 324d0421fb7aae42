"""Each unit's own overview figures as last counted, and the units whose records changed since.

`unit_figures` holds one row per counted unit: the `bot.domain.stats.Figures` counts of the
unit's own posts, powers, risk points and measures (`figures`, JSON; pending reviews are not
kept, they are counted live), and the days for which its overdue measures stay what was
counted (`valid_from`..`valid_until`, open ends None: no not-done measure's deadline falls
between). `unit_figures_dirty` is a log written by database triggers (migration 0021) on
every insert, update or delete of posts, powers, risk points, control measures and measure
reports: a row per unit touched (on SQLite, none while the unit has one). A unit with a log
row is counted live by the overview until the refresh job
(`bot.services.stats.summary.refresh`) takes its log rows and recounts it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class UnitFigures(Base):
    __tablename__ = "unit_figures"

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    figures: Mapped[str] = mapped_column(Text)  # JSON object: Figures field -> count
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)


class UnitFiguresDirty(Base):
    __tablename__ = "unit_figures_dirty"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
