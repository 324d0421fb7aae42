"""risk register: powers, categories, focus programmes, rules, risk points, measures, reports

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_focus_programmes")),
        sa.UniqueConstraint("name", name=op.f("uq_focus_programmes_name")),
    )
    op.create_table(
        "power_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_power_categories_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_categories")),
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
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_powers_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_powers_post_id_posts")),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["people.id"], name=op.f("fk_powers_reviewed_by_id_people")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_powers_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_powers")),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_rules_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_rules_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules")),
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
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("regrade_due_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_risk_points_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_risk_points_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["power_id"], ["powers.id"], name=op.f("fk_risk_points_power_id_powers")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["people.id"], name=op.f("fk_risk_points_proposed_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_points")),
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
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["people.id"],
            name=op.f("fk_control_measures_responsible_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risk_points.id"],
            name=op.f("fk_control_measures_risk_id_risk_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["rules.id"], name=op.f("fk_control_measures_rule_id_rules")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_measures")),
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
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["control_measures.id"],
            name=op.f("fk_measure_reports_measure_id_control_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["people.id"], name=op.f("fk_measure_reports_reporter_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_reports")),
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
