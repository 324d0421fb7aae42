"""campaigns and the units in their scope"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0006"
down_revision: str | None = "0005"

TABLES = (
    table(
        "campaigns",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("requirement", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        ref("closed_by_id", "people"),
        ref("created_by_id", "people"),
        indexes=[ix("status")],
    ),
    table(
        "campaign_units",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        ref("campaign_id", "campaigns", ondelete="CASCADE"),
        ref("unit_id", "units"),
        key=("campaign_id", "unit_id"),
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
