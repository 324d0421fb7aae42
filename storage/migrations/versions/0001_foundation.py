"""foundation"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0001"
down_revision: str | None = None

TABLES = (
    table(
        "fsm_records",
        """
            key    str(400)
            state  str(200)?
            data   json?
        """,
        key=("key",),
    ),
    table(
        "units",
        """
            name       str(200)
            parent_id  int?
            kind       str(20)
            is_pilot   bool
            path       str(1000)
        """,
        ref("parent_id", "units"),
        unique=[("parent_id", "name"), ("path",)],
        indexes=[ix("parent_id")],
    ),
    table(
        "posts",
        """
            unit_id        int
            name           str(200)
            is_leadership  bool
        """,
        ref("unit_id", "units"),
        unique=[("unit_id", "name")],
        indexes=[ix("unit_id")],
    ),
    table(
        "people",
        """
            telegram_id  bigint?
            name         str(200)
            unit_id      int?
            post_id      int?
            language     str(8)?
            active       bool
            unreachable  bool
            created_at   datetime
        """,
        ref("post_id", "posts"),
        ref("unit_id", "units"),
        unique=[("telegram_id",)],
        indexes=[ix("post_id"), ix("unit_id")],
    ),
    table(
        "audit_log",
        """
            at           datetime
            actor_id     int?
            channel      str(20)
            action       str(60)
            entity_type  str(40)
            entity_id    int?
            before       json?
            after        json?
        """,
        ref("actor_id", "people"),
        indexes=[ix("entity_type", "entity_id", name="ix_audit_log_entity")],
    ),
    table(
        "invitations",
        """
            code           str(64)
            name           str(200)
            unit_id        int
            post_id        int?
            roles          str(100)
            created_by_id  int?
            created_at     datetime
            expires_at     datetime
            used_at        datetime?
            used_by_id     int?
        """,
        ref("created_by_id", "people"),
        ref("post_id", "posts"),
        ref("unit_id", "units"),
        ref("used_by_id", "people"),
        unique=[("code",)],
    ),
    table(
        "role_assignments",
        """
            person_id  int
            role       str(20)
            unit_id    int?
        """,
        ref("person_id", "people", ondelete="CASCADE"),
        ref("unit_id", "units"),
        unique=[("person_id", "role")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
