"""citizens feedback, its senders kept apart, /track misses

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base
from storage.migrations.columns import fk, pk

revision: str = "0010"
# 0009 is the publicity branch's; the merge re-chains this one if needed.
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_lookup_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("feedback_lookup_misses", "person_id", "people", ondelete="CASCADE"),
        pk("feedback_lookup_misses"),
    )
    with op.batch_alter_table("feedback_lookup_misses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_lookup_misses_person_at", ["person_id", "at"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("rating", sa.String(length=12), nullable=True),
        sa.Column("rated_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appealed", sa.Boolean(), nullable=False),
        sa.Column("first_answer", sa.Text(), nullable=True),
        sa.Column("disposition", sa.String(length=12), nullable=True),
        sa.Column("disposition_note", sa.Text(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("disposed_by_id", sa.Integer(), nullable=True),
        sa.Column("disposed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        fk("feedback", "answered_by_id", "people"),
        fk("feedback", "disposed_by_id", "people"),
        fk("feedback", "duplicate_of_id", "feedback"),
        fk("feedback", "item_id", "publicity_items"),
        fk("feedback", "risk_id", "risk_points"),
        fk("feedback", "round_id", "publicity_rounds"),
        fk("feedback", "route_unit_id", "units"),
        fk("feedback", "unit_id", "units"),
        pk("feedback"),
        sa.UniqueConstraint("code", name=op.f("uq_feedback_code")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_risk_id"), ["risk_id"], unique=False)
        batch_op.create_index("ix_feedback_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_feedback_unit_created", ["unit_id", "created_at"], unique=False)

    op.create_table(
        "feedback_senders",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("feedback_senders", "feedback_id", "feedback", ondelete="CASCADE"),
        fk("feedback_senders", "person_id", "people", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_senders")),
        sa.UniqueConstraint(
            "person_id", "text_key", name=op.f("uq_feedback_senders_person_id_text_key")
        ),
    )
    with op.batch_alter_table("feedback_senders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_senders_person_created", ["person_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_senders", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_senders_person_created")

    op.drop_table("feedback_senders")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_unit_created")
        batch_op.drop_index("ix_feedback_status_created")
        batch_op.drop_index(batch_op.f("ix_feedback_risk_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_item_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_due_at"))

    op.drop_table("feedback")
    with op.batch_alter_table("feedback_lookup_misses", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_lookup_misses_person_at")

    op.drop_table("feedback_lookup_misses")
