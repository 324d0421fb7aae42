"""citizens feedback, its senders kept apart, /track misses"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import acted, create, drop, ix, ref, table

revision: str = "0010"
# 0009 is the publicity branch's; the merge re-chains this one if needed.
down_revision: str | None = "0009"

TABLES = (
    table(
        "feedback_lookup_misses",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        ref("person_id", "people", ondelete="CASCADE"),
        indexes=[ix("person_id", "at", name="ix_feedback_lookup_misses_person_at")],
    ),
    table(
        "feedback",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("signed_name", sa.String(length=100), nullable=True),
        sa.Column("signed_phone", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("route_tier", sa.String(length=12), nullable=False),
        sa.Column("route_unit_id", sa.Integer(), nullable=True),
        sa.Column("waiting_since", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ladder_step", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        *acted("answered"),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("rating", sa.String(length=12), nullable=True),
        sa.Column("rated_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appealed", sa.Boolean(), nullable=False),
        sa.Column("first_answer", sa.Text(), nullable=True),
        sa.Column("disposition", sa.String(length=12), nullable=True),
        sa.Column("disposition_note", sa.Text(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        *acted("disposed"),
        ref("answered_by_id", "people"),
        ref("disposed_by_id", "people"),
        ref("duplicate_of_id", "feedback"),
        ref("item_id", "publicity_items"),
        ref("risk_id", "risk_points"),
        ref("round_id", "publicity_rounds"),
        ref("route_unit_id", "units"),
        ref("unit_id", "units"),
        unique=[("code",)],
        indexes=[
            ix("due_at"),
            ix("item_id"),
            ix("risk_id"),
            ix("status", "created_at", name="ix_feedback_status_created"),
            ix("unit_id", "created_at", name="ix_feedback_unit_created"),
        ],
    ),
    table(
        "feedback_senders",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        ref("feedback_id", "feedback", ondelete="CASCADE"),
        ref("person_id", "people", ondelete="CASCADE"),
        key=("feedback_id",),
        unique=[("person_id", "text_key")],
        indexes=[ix("person_id", "created_at", name="ix_feedback_senders_person_created")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
