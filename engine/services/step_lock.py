"""Taking SQLite's write lock at the start of a step, so that steps on different cases never collide.

SQLite has one writer at a time. A transaction that first reads and later writes fails if another
writer committed in between (SQLITE_BUSY_SNAPSHOT), even on another case: it would surface as a
spurious Conflict. Writing first makes the transaction wait for the lock (busy timeout) and then
read fresh data, like `BEGIN IMMEDIATE`. PostgreSQL locks rows, not the database: nothing to do.
"""

from __future__ import annotations

from sqlalchemy import text

from engine.store.unit_of_work import UnitOfWork

# A write that changes nothing but takes the database's write lock.
_TAKE_WRITE_LOCK = text("UPDATE case_sequences SET last = last WHERE 0")


def lock_for_writing(uow: UnitOfWork) -> None:
    """Call first inside `with uow:` in every service that writes a case step."""
    if uow.session.get_bind().dialect.name == "sqlite":
        uow.session.execute(_TAKE_WRITE_LOCK)
