"""Taking SQLite's write lock at the start of a transaction that reads and then writes (a case step,
a notification dispatcher's claim), so that writers on different rows never collide.

SQLite has one writer at a time. A transaction that first reads and later writes fails if another
writer committed in between (SQLITE_BUSY_SNAPSHOT), even on another case: it would surface as a
spurious Conflict. Starting the transaction with `BEGIN IMMEDIATE` makes it wait for the lock (busy
timeout) and then read fresh data. PostgreSQL locks rows, not the database: nothing to do.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from engine.store.db import SQLITE_WRITE_LOCK
from engine.store.unit_of_work import UnitOfWork

# For a transaction already begun: a write that changes nothing but takes the database's write lock.
_TAKE_WRITE_LOCK = text("UPDATE case_sequences SET last = last WHERE 0")


def lock_for_writing(uow: UnitOfWork) -> Connection:
    """Call first inside `with uow:` in every service that reads and then writes; the transaction's connection."""
    session = uow.session
    if session.get_bind().dialect.name != "sqlite":
        return session.connection()
    if not session.in_transaction():
        return session.connection(execution_options={SQLITE_WRITE_LOCK: True})
    connection = session.connection()
    connection.execute(_TAKE_WRITE_LOCK)
    return connection
