"""leaders' digest subscriptions and the files the outbox uploads"""

import sqlalchemy as sa

from storage.base import UTCDateTime
from storage.migrations.columns import acted, create, drop, ix, ref, table

revision: str = "0011"
down_revision: str | None = "0010"  # re-chained after publicity (0009) and feedback (0010)

TABLES = (
    table(
        "digest_subscriptions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_period", sa.String(length=20), nullable=True),
        sa.Column("last_headline", sa.JSON(), nullable=True),
        sa.Column("last_sent_at", UTCDateTime(timezone=True), nullable=True),
        *acted("created", done=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        ref("person_id", "people", ondelete="CASCADE"),
        ref("created_by_id", "people", ondelete="SET NULL"),
        unique=[("person_id",)],
        indexes=[ix("state")],
    ),
    table(
        "outbox_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        unique=[("sha256",)],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
