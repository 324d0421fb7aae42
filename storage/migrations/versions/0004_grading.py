"""grading workflow: risk reviews (per-risk review bookkeeping) and review notes (timeline)"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import acted, create, drop, ix, ref, table

revision: str = "0004"
down_revision: str | None = "0003"

TABLES = (
    table(
        "risk_reviews",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("suggested_level", sa.Integer(), nullable=True),
        sa.Column("suggested_score", sa.String(length=8), nullable=True),
        sa.Column("social_opened_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("social_closes_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("returned_from", sa.String(length=30), nullable=True),
        sa.Column("reviewed_level", sa.Integer(), nullable=True),
        sa.Column("reviewed_reason", sa.Text(), nullable=True),
        sa.Column("final_level", sa.Integer(), nullable=True),
        sa.Column("level_reason", sa.Text(), nullable=True),
        *acted("approved"),
        sa.Column("publicised_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("regrading_due_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        ref("approved_by_id", "people"),
        ref("risk_id", "risk_points", ondelete="CASCADE"),
        key=("risk_id",),
        indexes=[ix("regrading_due_at"), ix("social_closes_at")],
    ),
    table(
        "review_notes",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        ref("author_id", "people"),
        ref("risk_id", "risk_points", ondelete="CASCADE"),
        indexes=[ix("risk_id", "id", name="ix_review_notes_risk")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
