"""idempotency_keys: the record each confirmed draft made (a second press returns it)"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0020"
down_revision: str | None = "0018"

KEYS = table(
    "idempotency_keys",
    """
        person_id  int
        key        str(32)
        kind       str(40)
        record_id  int?
        created_at datetime
    """,
    ref("person_id", "people", ondelete="CASCADE"),
    key=("person_id", "key"),
    indexes=[ix("created_at")],
)


def upgrade() -> None:
    create(KEYS)


def downgrade() -> None:
    drop(KEYS)
