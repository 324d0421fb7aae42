"""leaders' digest subscriptions and the files the outbox uploads"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0011"
down_revision: str | None = "0010"  # re-chained after publicity (0009) and feedback (0010)

TABLES = (
    table(
        "digest_subscriptions",
        """
            person_id      int
            frequency      str(10)
            hour           smallint
            state          str(10)
            since          datetime
            last_period    str(20)?
            last_headline  json?
            last_sent_at   datetime?
            created_by_id  int?
            created_at     datetime
            updated_at     datetime
        """,
        ref("person_id", "people", ondelete="CASCADE"),
        ref("created_by_id", "people", ondelete="SET NULL"),
        unique=[("person_id",)],
        indexes=[ix("state")],
    ),
    table(
        "outbox_files",
        """
            sha256      str(64)
            file_name   str(100)
            data        bytes
            created_at  datetime
        """,
        unique=[("sha256",)],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
