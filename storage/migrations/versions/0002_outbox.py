"""outbox and delivery"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0002"
down_revision: str | None = "0001"

OUTBOX = table(
    "outbox",
    """
        chat_id              bigint
        person_id            int?
        kind                 str(60)
        priority             int
        dedup_key            str(200)?
        payload              json
        urgent               bool
        status               str(12)
        attempts             int
        throttled            int
        next_attempt_at      datetime
        lease_until          datetime?
        last_error           text?
        created_at           datetime
        sent_at              datetime?
        telegram_message_id  bigint?
        batch_id             str(64)?
    """,
    ref("person_id", "people", ondelete="SET NULL"),
    unique=[("dedup_key",)],
    indexes=[
        ix("batch_id"),
        ix("person_id"),
        ix("status", "priority", "next_attempt_at", name="ix_outbox_due"),
        ix("chat_id", "status", name="ix_outbox_chat_status"),
    ],
)


def upgrade() -> None:
    create(OUTBOX)


def downgrade() -> None:
    drop(OUTBOX)
