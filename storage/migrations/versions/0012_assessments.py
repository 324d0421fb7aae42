"""the annual assessment: a row per year, frozen results per unit once confirmed

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime
from storage.migrations.columns import fk, pk

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        fk("assessments", "confirmed_by_id", "people"),
        pk("assessments"),
        sa.UniqueConstraint("year", name=op.f("uq_assessments_year")),
    )
    op.create_table(
        "assessment_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("unit_path", sa.String(length=1000), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("score_tenths", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        fk("assessment_results", "assessment_id", "assessments", ondelete="CASCADE"),
        fk("assessment_results", "unit_id", "units"),
        pk("assessment_results"),
        sa.UniqueConstraint("year", "unit_id", name=op.f("uq_assessment_results_year_unit_id")),
    )
    with op.batch_alter_table("assessment_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_results_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_results_unit_id"), ["unit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_results_unit_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_results_assessment_id"))
    op.drop_table("assessment_results")
    op.drop_table("assessments")
