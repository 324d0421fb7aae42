"""publicity rounds, their items (public codes), channel posts and subscriptions"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import acted, create, drop, ix, ref, table

revision: str = "0009"
down_revision: str | None = "0008"

TABLES = (
    table(
        "publicity_rounds",
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("all_units", sa.Boolean(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("include_active", sa.Boolean(), nullable=False),
        sa.Column("starts_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("announced_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        *acted("created", done=True),
        ref("created_by_id", "people"),
        indexes=[ix("status"), ix("ends_at")],
    ),
    table(
        "publicity_items",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        ref("round_id", "publicity_rounds", ondelete="CASCADE"),
        ref("risk_id", "risk_points"),
        ref("unit_id", "units"),
        unique=[("code",), ("round_id", "risk_id")],
        indexes=[ix("risk_id"), ix("round_id", "unit_id", name="ix_publicity_items_round_unit")],
    ),
    table(
        "publicity_posts",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("outbox_key", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_markup", sa.JSON(), nullable=True),
        ref("round_id", "publicity_rounds", ondelete="CASCADE"),
        ref("unit_id", "units"),
        unique=[("outbox_key",)],
        indexes=[ix("round_id", "position", name="ix_publicity_posts_round")],
    ),
    table(
        "publicity_subscriptions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("all_units", sa.Boolean(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        ref("person_id", "people", ondelete="CASCADE"),
        unique=[("person_id",)],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
