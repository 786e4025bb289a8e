"""Taking SQLite's write lock at the start of a transaction that writes (a case step, a dispatcher's
claim, an audited read), so that writers on different rows never collide.

SQLite has one writer at a time. A transaction that first reads and later writes fails if another
writer committed in between (SQLITE_BUSY_SNAPSHOT), even on another case: it would surface as a
spurious Conflict. Starting the transaction with `BEGIN IMMEDIATE` makes it wait for the lock (busy
timeout) and then read fresh data. PostgreSQL locks rows, not the database: nothing to do.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from engine.store.db import SQLITE_WRITE_LOCK, sqlite_transaction_state
from engine.store.unit_of_work import UnitOfWork

# For a transaction already begun: a write that changes nothing but takes the database's write lock.
_TAKE_WRITE_LOCK = text("UPDATE case_sequences SET last = last WHERE 0")


def lock_for_writing(uow: UnitOfWork) -> Connection:
    """Call first inside `with uow:` in every service that writes; the transaction's connection.

    Called inside a transaction that has only read (a request that signed its user in, a view that
    read before calling a service that writes), it starts that transaction again under the lock:
    its snapshot may already be older than another writer's last commit, and then it could not
    write at all. Nothing is lost: it changed nothing, and what it loaded is read again when used.
    """
    session = uow.session
    if session.get_bind().dialect.name != "sqlite":
        return session.connection()
    if session.in_transaction():
        connection = session.connection()
        locked, changed = sqlite_transaction_state(connection)
        if locked:
            return connection
        if changed or session.new or session.dirty or session.deleted or session.get_nested_transaction() is not None:
            connection.execute(_TAKE_WRITE_LOCK)
            return connection
        session.rollback()
    return session.connection(execution_options={SQLITE_WRITE_LOCK: True})
