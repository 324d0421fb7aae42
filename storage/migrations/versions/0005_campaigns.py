"""scheduled jobs' state, processed update ids (campaign tables join here later)"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import create, drop, ix, table

revision: str = "0005"
down_revision: str | None = "0004"

TABLES = (
    table(
        "job_states",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("last_run_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("running_until", storage.base.UTCDateTime(timezone=True), nullable=True),
        key=("name",),
    ),
    table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seen_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        key=("update_id",),
        indexes=[ix("seen_at")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
