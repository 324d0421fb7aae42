"""idempotent declarations: a risk point carries the key of the draft it was declared from

Revision ID: 0015
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_points") as batch:
        batch.add_column(sa.Column("draft_key", sa.String(length=32), nullable=True))
    # NULLs are distinct on SQLite and PostgreSQL: records without a draft never collide.
    op.create_index(
        "uq_risk_points_creator_draft",
        "risk_points",
        ["created_by_id", "draft_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_risk_points_creator_draft", table_name="risk_points")
    with op.batch_alter_table("risk_points") as batch:
        batch.drop_column("draft_key")
