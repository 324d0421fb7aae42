"""indexes on the columns the scheduled scans look for what is due by"""

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"


def upgrade() -> None:
    # The daily measure reminders: measures whose deadline is within the horizon.
    op.create_index("ix_control_measures_deadline", "control_measures", ["deadline"])


def downgrade() -> None:
    op.drop_index("ix_control_measures_deadline", table_name="control_measures")
