"""publicity rounds, their items (public codes), channel posts and subscriptions

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base
from storage.migrations.columns import fk, pk

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publicity_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("all_units", sa.Boolean(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("include_active", sa.Boolean(), nullable=False),
        sa.Column("starts_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("announced_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("publicity_rounds", "created_by_id", "people"),
        pk("publicity_rounds"),
    )
    with op.batch_alter_table("publicity_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publicity_rounds_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_publicity_rounds_ends_at"), ["ends_at"], unique=False)

    op.create_table(
        "publicity_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        fk("publicity_items", "round_id", "publicity_rounds", ondelete="CASCADE"),
        fk("publicity_items", "risk_id", "risk_points"),
        fk("publicity_items", "unit_id", "units"),
        pk("publicity_items"),
        sa.UniqueConstraint("code", name=op.f("uq_publicity_items_code")),
        sa.UniqueConstraint(
            "round_id", "risk_id", name=op.f("uq_publicity_items_round_id_risk_id")
        ),
    )
    with op.batch_alter_table("publicity_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publicity_items_risk_id"), ["risk_id"], unique=False)
        batch_op.create_index(
            "ix_publicity_items_round_unit", ["round_id", "unit_id"], unique=False
        )

    op.create_table(
        "publicity_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("outbox_key", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_markup", sa.JSON(), nullable=True),
        fk("publicity_posts", "round_id", "publicity_rounds", ondelete="CASCADE"),
        fk("publicity_posts", "unit_id", "units"),
        pk("publicity_posts"),
        sa.UniqueConstraint("outbox_key", name=op.f("uq_publicity_posts_outbox_key")),
    )
    with op.batch_alter_table("publicity_posts", schema=None) as batch_op:
        batch_op.create_index("ix_publicity_posts_round", ["round_id", "position"], unique=False)

    op.create_table(
        "publicity_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("all_units", sa.Boolean(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("publicity_subscriptions", "person_id", "people", ondelete="CASCADE"),
        pk("publicity_subscriptions"),
        sa.UniqueConstraint("person_id", name=op.f("uq_publicity_subscriptions_person_id")),
    )


def downgrade() -> None:
    op.drop_table("publicity_subscriptions")
    with op.batch_alter_table("publicity_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_publicity_posts_round")
    op.drop_table("publicity_posts")
    with op.batch_alter_table("publicity_items", schema=None) as batch_op:
        batch_op.drop_index("ix_publicity_items_round_unit")
        batch_op.drop_index(batch_op.f("ix_publicity_items_risk_id"))
    op.drop_table("publicity_items")
    with op.batch_alter_table("publicity_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publicity_rounds_ends_at"))
        batch_op.drop_index(batch_op.f("ix_publicity_rounds_status"))
    op.drop_table("publicity_rounds")
