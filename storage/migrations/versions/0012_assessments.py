"""the annual assessment: a row per year, frozen results per unit once confirmed"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0012"
down_revision: str | None = "0011"

TABLES = (
    table(
        "assessments",
        """
            year             int
            status           str(20)
            weights          json
            created_at       datetime
            confirmed_by_id  int?
            confirmed_at     datetime?
        """,
        ref("confirmed_by_id", "people"),
        unique=[("year",)],
    ),
    table(
        "assessment_results",
        """
            assessment_id  int
            year           int
            unit_id        int
            unit_name      str(200)
            unit_path      str(1000)
            counts         json
            score_tenths   int?
            rank           int?
        """,
        ref("assessment_id", "assessments", ondelete="CASCADE"),
        ref("unit_id", "units"),
        unique=[("year", "unit_id")],
        indexes=[ix("assessment_id"), ix("unit_id")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
