"""broadcast progress messages; when and why a person became unreachable"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import add_columns, create, drop, drop_columns, ix, table

revision: str = "0007"
# 0006 lands in parallel on another branch; the merge re-chains this one after it.
down_revision: str | None = "0006"

PROGRESS = table(
    "broadcast_progress",
    sa.Column("batch_id", sa.String(length=64), nullable=False),
    sa.Column("chat_id", sa.BigInteger(), nullable=False),
    sa.Column("message_id", sa.BigInteger(), nullable=False),
    sa.Column("locale", sa.String(length=8), nullable=False),
    sa.Column("shown", sa.String(length=80), nullable=True),
    sa.Column("edited_at", storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("finished_at", storage.base.UTCDateTime(timezone=True), nullable=True),
    key=("batch_id",),
    indexes=[ix("finished_at")],
)


def upgrade() -> None:
    create(PROGRESS)
    add_columns(
        "people",
        sa.Column("unreachable_since", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unreachable_reason", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    drop_columns("people", "unreachable_since", "unreachable_reason")
    drop(PROGRESS)
