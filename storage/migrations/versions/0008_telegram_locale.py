"""the locale a person's Telegram app asks for, for notices"""

from storage.migrations.columns import add_columns, drop_columns

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    add_columns("people", "telegram_locale str(8)?")


def downgrade() -> None:
    drop_columns("people", "telegram_locale")
