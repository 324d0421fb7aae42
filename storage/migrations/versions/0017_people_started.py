"""people.started_at: when a person first opened the bot (a first /start welcomes)"""

from alembic import op

from storage.migrations.columns import add_columns, drop_columns

revision: str = "0017"
down_revision: str | None = "0015"


def upgrade() -> None:
    add_columns("people", "started_at datetime?")
    # Whoever already has a chat with the bot has started it (invited people, citizens).
    op.execute(
        "UPDATE people SET started_at = created_at"
        " WHERE telegram_id IS NOT NULL AND telegram_locale IS NOT NULL"
    )


def downgrade() -> None:
    drop_columns("people", "started_at")
