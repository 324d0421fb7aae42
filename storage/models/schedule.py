"""When each periodic job last ran: the schedule survives restarts and is shared by processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class JobState(Base):
    __tablename__ = "job_states"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_run_at: Mapped[datetime | None]
    # A lease: while set in the future, another process is running this job.
    running_until: Mapped[datetime | None]
