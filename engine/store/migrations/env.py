"""Alembic environment: runs on the connection handed over by engine.store.migrate."""

from __future__ import annotations

from alembic import context

from engine.store.models import Base
from engine.store.types import UtcDateTime

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through engine.store.migrate (it passes the connection)")



def render_item(kind, obj, _context):
    """Write our UTC column type as the plain type it stores, so migrations do not import models."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    render_item=render_item,
    # SQLite cannot ALTER most things: batch mode recreates the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
