"""Alembic environment: runs on the connection handed over by engine.store.migrate."""

from __future__ import annotations

from alembic import context

from engine.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through engine.store.migrate (it passes the connection)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    # SQLite cannot ALTER most things: batch mode recreates the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
