"""campaigns and the units in their scope"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0006"
down_revision: str | None = "0005"

TABLES = (
    table(
        "campaigns",
        """
            name           str(100)
            requirement    str(20)
            deadline       date
            status         str(10)
            created_by_id  int?
            created_at     datetime
            closed_by_id   int?
            closed_at      datetime?
        """,
        ref("closed_by_id", "people"),
        ref("created_by_id", "people"),
        indexes=[ix("status")],
    ),
    table(
        "campaign_units",
        """
            campaign_id  int
            unit_id      int
        """,
        ref("campaign_id", "campaigns", ondelete="CASCADE"),
        ref("unit_id", "units"),
        key=("campaign_id", "unit_id"),
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
