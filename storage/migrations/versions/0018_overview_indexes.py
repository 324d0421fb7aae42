"""covering indexes for the overview's counts (every column each count reads, in its order)"""

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"

# The overview (bot/services/stats/counts.py) reads each big table once, grouped per unit:
# with these the database scans an index in group order and never reads a table row.
RISK_POINT_COLUMNS = ["post_id", "status"]  # joined and filtered on
RISK_POINT_COLUMNS += ["level", "suggested_level", "risk_type", "focus_programme", "updated_at"]
INDEXES = (
    ("ix_powers_counts", "powers", ["unit_id", "scope", "category", "status"]),
    ("ix_risk_points_counts", "risk_points", RISK_POINT_COLUMNS),
    (
        "ix_control_measures_counts",
        "control_measures",
        ["risk_id", "status", "deadline", "updated_at"],
    ),
    ("ix_posts_counts", "posts", ["unit_id", "is_leadership"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
