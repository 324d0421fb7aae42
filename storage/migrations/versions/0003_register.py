"""risk register: powers, categories, focus programmes, rules, risk points, measures, reports

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base
from storage.migrations.columns import fk, pk, timestamps

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "focus_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        pk("focus_programmes"),
        sa.UniqueConstraint("name", name=op.f("uq_focus_programmes_name")),
    )
    op.create_table(
        "power_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        fk("power_categories", "unit_id", "units", ondelete="CASCADE"),
        pk("power_categories"),
        sa.UniqueConstraint(
            "unit_id", "scope", "name", name=op.f("uq_power_categories_unit_id_scope_name")
        ),
    )
    with op.batch_alter_table("power_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_power_categories_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "powers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *timestamps(),
        fk("powers", "created_by_id", "people"),
        fk("powers", "post_id", "posts"),
        fk("powers", "reviewed_by_id", "people"),
        fk("powers", "unit_id", "units"),
        pk("powers"),
    )
    with op.batch_alter_table("powers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_powers_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_powers_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("major_matter", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("rules", "created_by_id", "people"),
        fk("rules", "unit_id", "units"),
        pk("rules"),
    )
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rules_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "risk_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("power_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("risk_type", sa.String(length=20), nullable=False),
        sa.Column("focus_programme", sa.String(length=100), nullable=True),
        sa.Column("importance", sa.SmallInteger(), nullable=True),
        sa.Column("discretion", sa.SmallInteger(), nullable=True),
        sa.Column("public", sa.SmallInteger(), nullable=True),
        sa.Column("likelihood", sa.SmallInteger(), nullable=True),
        sa.Column("harm", sa.SmallInteger(), nullable=True),
        sa.Column("suggested_level", sa.SmallInteger(), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("discussion_date", sa.Date(), nullable=True),
        sa.Column("discussion_summary", sa.Text(), nullable=True),
        sa.Column("self_reviewed_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *timestamps(),
        sa.Column("regrade_due_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        fk("risk_points", "created_by_id", "people"),
        fk("risk_points", "post_id", "posts"),
        fk("risk_points", "power_id", "powers"),
        fk("risk_points", "proposed_by_id", "people"),
        pk("risk_points"),
    )
    with op.batch_alter_table("risk_points", schema=None) as batch_op:
        batch_op.create_index("ix_risk_points_post_status", ["post_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_points_power_id"), ["power_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_points_status"), ["status"], unique=False)

    op.create_table(
        "control_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("responsible_name", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        *timestamps(),
        fk("control_measures", "responsible_id", "people"),
        fk("control_measures", "risk_id", "risk_points", ondelete="CASCADE"),
        fk("control_measures", "rule_id", "rules"),
        pk("control_measures"),
    )
    with op.batch_alter_table("control_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_control_measures_responsible_id"), ["responsible_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_control_measures_risk_id"), ["risk_id"], unique=False)

    op.create_table(
        "measure_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        fk("measure_reports", "measure_id", "control_measures", ondelete="CASCADE"),
        fk("measure_reports", "reporter_id", "people"),
        pk("measure_reports"),
    )
    with op.batch_alter_table("measure_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_reports_measure_id"), ["measure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_reports_measure_id"))

    op.drop_table("measure_reports")
    with op.batch_alter_table("control_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_control_measures_risk_id"))
        batch_op.drop_index(batch_op.f("ix_control_measures_responsible_id"))

    op.drop_table("control_measures")
    with op.batch_alter_table("risk_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_points_status"))
        batch_op.drop_index(batch_op.f("ix_risk_points_power_id"))
        batch_op.drop_index("ix_risk_points_post_status")

    op.drop_table("risk_points")
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rules_unit_id"))

    op.drop_table("rules")
    with op.batch_alter_table("powers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_powers_unit_id"))
        batch_op.drop_index(batch_op.f("ix_powers_post_id"))

    op.drop_table("powers")
    with op.batch_alter_table("power_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_power_categories_unit_id"))

    op.drop_table("power_categories")
    op.drop_table("focus_programmes")
