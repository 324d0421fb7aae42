"""leaders' digest subscriptions and the files the outbox uploads

Revision ID: 0011
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime
from storage.migrations.columns import fk, pk

revision: str = "0011"
down_revision: str | None = "0010"  # re-chained after publicity (0009) and feedback (0010)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_period", sa.String(length=20), nullable=True),
        sa.Column("last_headline", sa.JSON(), nullable=True),
        sa.Column("last_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        fk("digest_subscriptions", "person_id", "people", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("fk_digest_subscriptions_created_by_id_people"),
            ondelete="SET NULL",
        ),
        pk("digest_subscriptions"),
        sa.UniqueConstraint("person_id", name=op.f("uq_digest_subscriptions_person_id")),
    )
    op.create_index(op.f("ix_digest_subscriptions_state"), "digest_subscriptions", ["state"])
    op.create_table(
        "outbox_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        pk("outbox_files"),
        sa.UniqueConstraint("sha256", name=op.f("uq_outbox_files_sha256")),
    )


def downgrade() -> None:
    op.drop_table("outbox_files")
    op.drop_index(op.f("ix_digest_subscriptions_state"), table_name="digest_subscriptions")
    op.drop_table("digest_subscriptions")
