"""publicity rounds, their items (public codes), channel posts and subscriptions"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0009"
down_revision: str | None = "0008"

TABLES = (
    table(
        "publicity_rounds",
        """
            status          str(12)
            all_units       bool
            unit_ids        json
            include_active  bool
            starts_at       datetime
            ends_at         datetime
            opened_at       datetime?
            announced_at    datetime?
            closed_at       datetime?
            created_by_id   int?
            created_at      datetime
        """,
        ref("created_by_id", "people"),
        indexes=[ix("status"), ix("ends_at")],
    ),
    table(
        "publicity_items",
        """
            round_id  int
            risk_id   int
            unit_id   int
            level     int?
            code      str(20)
        """,
        ref("round_id", "publicity_rounds", ondelete="CASCADE"),
        ref("risk_id", "risk_points"),
        ref("unit_id", "units"),
        unique=[("code",), ("round_id", "risk_id")],
        indexes=[ix("risk_id"), ix("round_id", "unit_id", name="ix_publicity_items_round_unit")],
    ),
    table(
        "publicity_posts",
        """
            round_id      int
            unit_id       int?
            position      int
            chat_id       bigint
            message_id    bigint?
            outbox_key    str(200)
            text          text
            reply_markup  json?
        """,
        ref("round_id", "publicity_rounds", ondelete="CASCADE"),
        ref("unit_id", "units"),
        unique=[("outbox_key",)],
        indexes=[ix("round_id", "position", name="ix_publicity_posts_round")],
    ),
    table(
        "publicity_subscriptions",
        """
            person_id   int
            all_units   bool
            unit_ids    json
            updated_at  datetime
        """,
        ref("person_id", "people", ondelete="CASCADE"),
        unique=[("person_id",)],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
