"""The risk register (廉政风险点登记): powers, risk points, control measures, rules.

Status columns are plain strings so the grading workflow (`bot.domain.risk_workflow.RiskState`) can
own the risk point's states without a migration per new state. Telegram ids never live here:
people are referenced by `people.id`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base


class PowerScope(StrEnum):
    """对外行使 or 内部管理."""

    EXTERNAL = "external"
    INTERNAL = "internal"


class PowerStatus(StrEnum):
    SUBMITTED = "submitted"  # inventoried by staff, waiting for the unit's reviewer
    CONFIRMED = "confirmed"  # 确权: checked by a reviewer
    RETURNED = "returned"  # back with the submitter, with a comment
    WITHDRAWN = "withdrawn"  # dropped by its submitter before confirmation


class Origin(StrEnum):
    """自下而上 (declared by the post) or 自上而下 (proposed by a reviewer)."""

    BOTTOM_UP = "bottom_up"
    TOP_DOWN = "top_down"


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class MajorMatter(StrEnum):
    """三重一大: which kind of major matter a rule governs, if any."""

    NONE = "none"
    DECISION = "decision"  # 重大决策
    APPOINTMENT = "appointment"  # 重要人事任免
    PROJECT = "project"  # 重大项目安排
    FUNDS = "funds"  # 大额资金使用


class Power(Base):
    """职权 of a unit (post_id None: unit-wide) or of one post."""

    __tablename__ = "powers"
    # The overview counts per unit, scope and category from this index alone (0018).
    __table_args__ = (Index("ix_powers_counts", "unit_id", "scope", "category", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(200), default="")  # 行使主体
    legal_basis: Mapped[str] = mapped_column(Text, default="")  # 法律依据
    category: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str] = mapped_column(String(10))  # PowerScope
    status: Mapped[str] = mapped_column(String(20), default=PowerStatus.SUBMITTED.value)
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reviewed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PowerCategory(Base):
    """A power category a unit uses; a unit with none configured uses DOMAIN.md's defaults."""

    __tablename__ = "power_categories"
    __table_args__ = (UniqueConstraint("unit_id", "scope", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)


class FocusProgramme(Base):
    """A people-benefit programme (强农惠农) a risk can be tagged with; none: the defaults."""

    __tablename__ = "focus_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class Rule(Base):
    """制度: a regulation a unit follows; measures may cite it."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    major_matter: Mapped[str] = mapped_column(String(20), default=MajorMatter.NONE.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]


class RiskPoint(Base):
    """廉政风险点 of a post, optionally tied to one of its powers.

    `created_by_id` is the declarant, whose record it is: for a top-down proposal it stays
    empty until the holder confirms (the proposing reviewer is `proposed_by_id`), so the
    reviewer is never mistaken for the holder.
    """

    __tablename__ = "risk_points"
    __table_args__ = (
        Index("ix_risk_points_post_status", "post_id", "status"),
        # Every column the overview counts risk points by (0018): no table row is read.
        Index(
            "ix_risk_points_counts",
            "post_id",
            "status",
            "level",
            "suggested_level",
            "risk_type",
            "focus_programme",
            "updated_at",
        ),
        # A declaration is idempotent: the same draft submitted twice is one record.
        Index("uq_risk_points_creator_draft", "created_by_id", "draft_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    power_id: Mapped[int | None] = mapped_column(ForeignKey("powers.id"), index=True)
    description: Mapped[str] = mapped_column(Text)  # 风险表现
    risk_type: Mapped[str] = mapped_column(String(20))  # bot.domain.register_rules.RISK_TYPES
    focus_programme: Mapped[str | None] = mapped_column(String(100))
    # The five grading factors (1–5); empty on a proposal until the holder assesses it.
    importance: Mapped[int | None] = mapped_column(SmallInteger)
    discretion: Mapped[int | None] = mapped_column(SmallInteger)
    public: Mapped[int | None] = mapped_column(SmallInteger)
    likelihood: Mapped[int | None] = mapped_column(SmallInteger)
    harm: Mapped[int | None] = mapped_column(SmallInteger)
    suggested_level: Mapped[int | None] = mapped_column(SmallInteger)
    # The final level fixed by organisational approval (None until then).
    level: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    # 三步工作法 for leadership posts: 集体议 (date, summary) → 自己审 (confirmed at).
    discussion_date: Mapped[date | None] = mapped_column(Date)
    discussion_summary: Mapped[str | None] = mapped_column(Text)
    self_reviewed_at: Mapped[datetime | None]
    origin: Mapped[str] = mapped_column(String(10), default=Origin.BOTTOM_UP.value)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    draft_key: Mapped[str | None] = mapped_column(String(32))  # the declaration's draft
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    regrade_due_at: Mapped[datetime | None]

    measures: Mapped[list[ControlMeasure]] = relationship(
        back_populates="risk",
        order_by="ControlMeasure.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ControlMeasure(Base):
    """防控措施 of a risk point: what is done, by whom (责任主体), by when."""

    __tablename__ = "control_measures"
    # Every column the overview counts measures by, under their risk point (0018).
    __table_args__ = (
        Index("ix_control_measures_counts", "risk_id", "status", "deadline", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(
        ForeignKey("risk_points.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(Text)
    # The person when known; the name as written (an import may name someone not yet bound).
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    responsible_name: Mapped[str] = mapped_column(String(100), default="")
    deadline: Mapped[date] = mapped_column(Date, index=True)  # the reminders scan by it
    status: Mapped[str] = mapped_column(String(20), default=MeasureStatus.PLANNED.value)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    # Joined: async code may not lazy-load, and a measure is never shown without its risk.
    risk: Mapped[RiskPoint] = relationship(back_populates="measures", lazy="joined")


class MeasureReport(Base):
    """An execution report on a measure (实施考核监督): status and a short evidence note."""

    __tablename__ = "measure_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("control_measures.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
