"""Alembic environment: always handed a live connection by storage.migrate."""

from __future__ import annotations

from alembic import context

import storage.models  # noqa: F401  (fills Base.metadata)
from storage.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m bot db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
