"""scheduled jobs' state, processed update ids (campaign tables join here later)"""

import sqlalchemy as sa

from storage.migrations.columns import create, drop, ix, table

revision: str = "0005"
down_revision: str | None = "0004"

TABLES = (
    table(
        "job_states",
        """
            name           str(100)
            last_run_at    datetime?
            running_until  datetime?
        """,
        key=("name",),
    ),
    table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        "seen_at datetime",
        key=("update_id",),
        indexes=[ix("seen_at")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
