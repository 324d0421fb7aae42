"""foundation"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import acted, create, drop, ix, ref, table

revision: str = "0001"
down_revision: str | None = None

TABLES = (
    table(
        "fsm_records",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        key=("key",),
    ),
    table(
        "units",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("is_pilot", sa.Boolean(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        ref("parent_id", "units"),
        unique=[("parent_id", "name"), ("path",)],
        indexes=[ix("parent_id")],
    ),
    table(
        "posts",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_leadership", sa.Boolean(), nullable=False),
        ref("unit_id", "units"),
        unique=[("unit_id", "name")],
        indexes=[ix("unit_id")],
    ),
    table(
        "people",
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("unreachable", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        ref("post_id", "posts"),
        ref("unit_id", "units"),
        unique=[("telegram_id",)],
        indexes=[ix("post_id"), ix("unit_id")],
    ),
    table(
        "audit_log",
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        ref("actor_id", "people"),
        indexes=[ix("entity_type", "entity_id", name="ix_audit_log_entity")],
    ),
    table(
        "invitations",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("roles", sa.String(length=100), nullable=False),
        *acted("created", done=True),
        sa.Column("expires_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        ref("created_by_id", "people"),
        ref("post_id", "posts"),
        ref("unit_id", "units"),
        ref("used_by_id", "people"),
        unique=[("code",)],
    ),
    table(
        "role_assignments",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        ref("person_id", "people", ondelete="CASCADE"),
        ref("unit_id", "units"),
        unique=[("person_id", "role")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
