"""risk register: powers, categories, focus programmes, rules, risk points, measures, reports"""

from storage.migrations.columns import create, drop, ix, ref, table

revision: str = "0003"
down_revision: str | None = "0002"

TABLES = (
    table(
        "focus_programmes",
        """
            name      str(100)
            position  int
        """,
        unique=[("name",)],
    ),
    table(
        "power_categories",
        """
            unit_id   int
            scope     str(10)
            name      str(50)
            position  int
        """,
        ref("unit_id", "units", ondelete="CASCADE"),
        unique=[("unit_id", "scope", "name")],
        indexes=[ix("unit_id")],
    ),
    table(
        "powers",
        """
            unit_id         int
            post_id         int?
            name            str(200)
            content         text
            subject         str(200)
            legal_basis     text
            category        str(50)
            scope           str(10)
            status          str(20)
            review_comment  text?
            reviewed_by_id  int?
            reviewed_at     datetime?
            created_by_id   int?
            created_at      datetime
            updated_at      datetime
        """,
        ref("created_by_id", "people"),
        ref("post_id", "posts"),
        ref("reviewed_by_id", "people"),
        ref("unit_id", "units"),
        indexes=[ix("post_id"), ix("unit_id")],
    ),
    table(
        "rules",
        """
            unit_id        int
            title          str(300)
            kind           str(50)
            issued_on      date?
            major_matter   str(20)
            created_by_id  int?
            created_at     datetime
        """,
        ref("created_by_id", "people"),
        ref("unit_id", "units"),
        indexes=[ix("unit_id")],
    ),
    table(
        "risk_points",
        """
            post_id             int
            power_id            int?
            description         text
            risk_type           str(20)
            focus_programme     str(100)?
            importance          smallint?
            discretion          smallint?
            public              smallint?
            likelihood          smallint?
            harm                smallint?
            suggested_level     smallint?
            level               smallint?
            status              str(30)
            discussion_date     date?
            discussion_summary  text?
            self_reviewed_at    datetime?
            origin              str(10)
            proposed_by_id      int?
            dispute_reason      text?
            created_by_id       int?
            created_at          datetime
            updated_at          datetime
            regrade_due_at      datetime?
        """,
        ref("created_by_id", "people"),
        ref("post_id", "posts"),
        ref("power_id", "powers"),
        ref("proposed_by_id", "people"),
        indexes=[
            ix("post_id", "status", name="ix_risk_points_post_status"),
            ix("power_id"),
            ix("status"),
        ],
    ),
    table(
        "control_measures",
        """
            risk_id           int
            action            text
            responsible_id    int?
            responsible_name  str(100)
            deadline          date
            status            str(20)
            rule_id           int?
            created_at        datetime
            updated_at        datetime
        """,
        ref("responsible_id", "people"),
        ref("risk_id", "risk_points", ondelete="CASCADE"),
        ref("rule_id", "rules"),
        indexes=[ix("responsible_id"), ix("risk_id")],
    ),
    table(
        "measure_reports",
        """
            measure_id   int
            reporter_id  int?
            status       str(20)
            note         text
            at           datetime
        """,
        ref("measure_id", "control_measures", ondelete="CASCADE"),
        ref("reporter_id", "people"),
        indexes=[ix("measure_id")],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
