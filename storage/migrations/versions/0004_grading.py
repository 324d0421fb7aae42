"""grading workflow: risk reviews (per-risk review bookkeeping) and review notes (timeline)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base
from storage.migrations.columns import fk, pk

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
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
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("publicised_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("regrading_due_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        fk("risk_reviews", "approved_by_id", "people"),
        fk("risk_reviews", "risk_id", "risk_points", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("risk_id", name=op.f("pk_risk_reviews")),
    )
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_reviews_regrading_due_at"), ["regrading_due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_risk_reviews_social_closes_at"), ["social_closes_at"], unique=False
        )

    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("review_notes", "author_id", "people"),
        fk("review_notes", "risk_id", "risk_points", ondelete="CASCADE"),
        pk("review_notes"),
    )
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.create_index("ix_review_notes_risk", ["risk_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_review_notes_risk")
    op.drop_table("review_notes")
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_reviews_social_closes_at"))
        batch_op.drop_index(batch_op.f("ix_risk_reviews_regrading_due_at"))
    op.drop_table("risk_reviews")
