"""people.started_at: when a person first opened the bot (a first /start welcomes)

Revision ID: 0017
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("started_at", UTCDateTime(), nullable=True))
    # Whoever already has a chat with the bot has started it (invited people, citizens).
    op.execute(
        "UPDATE people SET started_at = created_at"
        " WHERE telegram_id IS NOT NULL AND telegram_locale IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("started_at")
