"""idempotent declarations: a risk point carries the key of the draft it was declared from"""

from alembic import op

from storage.migrations.columns import add_columns, drop_columns

revision: str = "0015"
down_revision: str | None = "0013"


def upgrade() -> None:
    add_columns("risk_points", "draft_key str(32)?")
    # NULLs are distinct on SQLite and PostgreSQL: records without a draft never collide.
    op.create_index(
        "uq_risk_points_creator_draft",
        "risk_points",
        ["created_by_id", "draft_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_risk_points_creator_draft", table_name="risk_points")
    drop_columns("risk_points", "draft_key")
