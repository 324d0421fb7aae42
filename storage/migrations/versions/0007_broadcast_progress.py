"""broadcast progress messages; when and why a person became unreachable

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0007"
# 0006 lands in parallel on another branch; the merge re-chains this one after it.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcast_progress",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("shown", sa.String(length=80), nullable=True),
        sa.Column("edited_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_broadcast_progress")),
    )
    with op.batch_alter_table("broadcast_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_broadcast_progress_finished_at"), ["finished_at"], unique=False
        )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreachable_since", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("unreachable_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("unreachable_reason")
        batch_op.drop_column("unreachable_since")
    with op.batch_alter_table("broadcast_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_progress_finished_at"))
    op.drop_table("broadcast_progress")
