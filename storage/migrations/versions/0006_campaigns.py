"""campaigns and the units in their scope"""

import sqlalchemy as sa

from storage.migrations.columns import acted, create, drop, ix, ref, table

revision: str = "0006"
down_revision: str | None = "0005"

TABLES = (
    table(
        "campaigns",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("requirement", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        *acted("created", done=True),
        *acted("closed"),
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
