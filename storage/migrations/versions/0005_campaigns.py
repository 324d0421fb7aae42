"""scheduled jobs' state (campaign tables join here when their issue lands)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_states",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("last_run_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("running_until", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_states")),
    )


def downgrade() -> None:
    op.drop_table("job_states")
