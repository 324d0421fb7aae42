"""citizens feedback, its senders kept apart, /track misses"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0010"
# 0009 is the publicity branch's; the merge re-chains this one if needed.
down_revision: str | None = "0009"

TABLES = (
    table(
        "feedback_lookup_misses",
        """
            person_id  int
            at         datetime
        """,
        ref("person_id", "people", ondelete="CASCADE"),
        indexes=[ix("person_id", "at", name="ix_feedback_lookup_misses_person_at")],
    ),
    table(
        "feedback",
        """
            code              str(12)
            item_id           int
            round_id          int
            risk_id           int
            unit_id           int
            level             int?
            kind              str(12)
            text              text
            evidence          json
            anonymous         bool
            signed_name       str(100)?
            signed_phone      str(32)?
            status            str(12)
            version           int
            route_tier        str(12)
            route_unit_id     int?
            waiting_since     datetime
            due_at            datetime
            ladder_step       int
            created_at        datetime
            responded_at      datetime?
            answer            text?
            answered_by_id    int?
            answered_at       datetime?
            duplicate_of_id   int?
            hidden_reason     text?
            rating            str(12)?
            rated_at          datetime?
            appealed          bool
            first_answer      text?
            disposition       str(12)?
            disposition_note  text?
            follow_up_on      date?
            disposed_by_id    int?
            disposed_at       datetime?
        """,
        ref("answered_by_id", "people"),
        ref("disposed_by_id", "people"),
        ref("duplicate_of_id", "feedback"),
        ref("item_id", "publicity_items"),
        ref("risk_id", "risk_points"),
        ref("round_id", "publicity_rounds"),
        ref("route_unit_id", "units"),
        ref("unit_id", "units"),
        unique=[("code",)],
        indexes=[
            ix("due_at"),
            ix("item_id"),
            ix("risk_id"),
            ix("status", "created_at", name="ix_feedback_status_created"),
            ix("unit_id", "created_at", name="ix_feedback_unit_created"),
        ],
    ),
    table(
        "feedback_senders",
        """
            feedback_id  int
            person_id    int
            text_key     str(64)
            created_at   datetime
        """,
        ref("feedback_id", "feedback", ondelete="CASCADE"),
        ref("person_id", "people", ondelete="CASCADE"),
        key=("feedback_id",),
        unique=[("person_id", "text_key")],
        indexes=[ix("person_id", "created_at", name="ix_feedback_senders_person_created")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
