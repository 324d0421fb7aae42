"""risk register: powers, categories, focus programmes, rules, risk points, measures, reports"""

import sqlalchemy as sa

import storage.base
from storage.migrations.columns import acted, create, drop, ix, ref, table, timestamps

revision: str = "0003"
down_revision: str | None = "0002"

TABLES = (
    table(
        "focus_programmes",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        unique=[("name",)],
    ),
    table(
        "power_categories",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        ref("unit_id", "units", ondelete="CASCADE"),
        unique=[("unit_id", "scope", "name")],
        indexes=[ix("unit_id")],
    ),
    table(
        "powers",
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
        *acted("reviewed"),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *timestamps(),
        ref("created_by_id", "people"),
        ref("post_id", "posts"),
        ref("reviewed_by_id", "people"),
        ref("unit_id", "units"),
        indexes=[ix("post_id"), ix("unit_id")],
    ),
    table(
        "rules",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("major_matter", sa.String(length=20), nullable=False),
        *acted("created", done=True),
        ref("created_by_id", "people"),
        ref("unit_id", "units"),
        indexes=[ix("unit_id")],
    ),
    table(
        "risk_points",
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
        ref("created_by_id", "people"),
        ref("post_id", "posts"),
        ref("power_id", "powers"),
        ref("proposed_by_id", "people"),
        indexes=[
            ix("post_id", "status", name="ix_risk_points_post_status"),
            ix("power_id"),
            ix("status"),
        ],
    ),
    table(
        "control_measures",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("responsible_name", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        *timestamps(),
        ref("responsible_id", "people"),
        ref("risk_id", "risk_points", ondelete="CASCADE"),
        ref("rule_id", "rules"),
        indexes=[ix("responsible_id"), ix("risk_id")],
    ),
    table(
        "measure_reports",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", storage.base.UTCDateTime(timezone=True), nullable=False),
        ref("measure_id", "control_measures", ondelete="CASCADE"),
        ref("reporter_id", "people"),
        indexes=[ix("measure_id")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
