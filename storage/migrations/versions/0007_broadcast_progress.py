"""broadcast progress messages; when and why a person became unreachable"""

from storage.migrations.columns import add_columns, create, drop, drop_columns, ix, table

revision: str = "0007"
# 0006 lands in parallel on another branch; the merge re-chains this one after it.
down_revision: str | None = "0006"

PROGRESS = table(
    "broadcast_progress",
    """
        batch_id     str(64)
        chat_id      bigint
        message_id   bigint
        locale       str(8)
        shown        str(80)?
        edited_at    datetime?
        finished_at  datetime?
    """,
    key=("batch_id",),
    indexes=[ix("finished_at")],
)


def upgrade() -> None:
    create(PROGRESS)
    add_columns(
        "people",
        """
            unreachable_since   datetime?
            unreachable_reason  text?
        """,
    )


def downgrade() -> None:
    drop_columns("people", "unreachable_since", "unreachable_reason")
    drop(PROGRESS)
