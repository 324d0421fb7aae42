"""outbox and delivery"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0002"
down_revision: str | None = "0001"

OUTBOX = table(
    "outbox",
    sa.Column("chat_id", sa.BigInteger(), nullable=False),
    sa.Column("person_id", sa.Integer(), nullable=True),
    sa.Column("kind", sa.String(length=60), nullable=False),
    sa.Column("priority", sa.Integer(), nullable=False),
    sa.Column("dedup_key", sa.String(length=200), nullable=True),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("urgent", sa.Boolean(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("throttled", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column("lease_until", storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column("sent_at", storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
    sa.Column("batch_id", sa.String(length=64), nullable=True),
    ref("person_id", "people", ondelete="SET NULL"),
    unique=[("dedup_key",)],
    indexes=[
        ix("batch_id"),
        ix("person_id"),
        ix("status", "priority", "next_attempt_at", name="ix_outbox_due"),
        ix("chat_id", "status", name="ix_outbox_chat_status"),
    ],
)


def upgrade() -> None:
    create(OUTBOX)


def downgrade() -> None:
    drop(OUTBOX)
