"""the annual assessment: a row per year, frozen results per unit once confirmed"""

import sqlalchemy as sa

from storage.base import UTCDateTime
from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0012"
down_revision: str | None = "0011"

TABLES = (
    table(
        "assessments",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        ref("confirmed_by_id", "people"),
        unique=[("year",)],
    ),
    table(
        "assessment_results",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("unit_path", sa.String(length=1000), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("score_tenths", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        ref("assessment_id", "assessments", ondelete="CASCADE"),
        ref("unit_id", "units"),
        unique=[("year", "unit_id")],
        indexes=[ix("assessment_id"), ix("unit_id")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
