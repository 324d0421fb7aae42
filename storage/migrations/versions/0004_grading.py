"""grading workflow: risk reviews (per-risk review bookkeeping) and review notes (timeline)"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0004"
down_revision: str | None = "0003"

TABLES = (
    table(
        "risk_reviews",
        """
            risk_id           int
            version           int
            suggested_level   int?
            suggested_score   str(8)?
            social_opened_at  datetime?
            social_closes_at  datetime?
            returned_from     str(30)?
            reviewed_level    int?
            reviewed_reason   text?
            final_level       int?
            level_reason      text?
            approved_by_id    int?
            approved_at       datetime?
            publicised_at     datetime?
            regrading_due_at  datetime?
        """,
        ref("approved_by_id", "people"),
        ref("risk_id", "risk_points", ondelete="CASCADE"),
        key=("risk_id",),
        indexes=[ix("regrading_due_at"), ix("social_closes_at")],
    ),
    table(
        "review_notes",
        """
            risk_id    int
            author_id  int?
            kind       str(20)
            state      str(30)
            text       text?
            at         datetime
        """,
        ref("author_id", "people"),
        ref("risk_id", "risk_points", ondelete="CASCADE"),
        indexes=[ix("risk_id", "id", name="ix_review_notes_risk")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
