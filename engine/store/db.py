"""Engines and sessions for SQLite (default) and PostgreSQL, configured for durable commits."""

from __future__ import annotations

import select
from pathlib import Path

import psycopg
from psycopg import pq

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import AiguillageError
from engine.store.prepared import translated_errors, watched

SQLITE_BUSY_TIMEOUT_MS = 10_000


def default_url(instance_dir: Path) -> str:
    """The SQLite database file under the instance directory."""
    return f"sqlite:///{Path(instance_dir) / 'aiguillage.sqlite'}"


def normalise_url(url: str) -> str:
    """Accept `postgresql://` (and `postgres://`) and select the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url`; SQLite gets WAL, full sync, foreign keys and a busy timeout."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise AiguillageError("the database URL is not valid: write sqlite:///path/to/file or postgresql://user@host/name") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        return _postgres_engine(url, **kwargs)
    raise AiguillageError(f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: use sqlite:/// or postgresql://")


def _postgres_engine(url: str, **kwargs) -> Engine:
    engine = create_engine(url, **kwargs)
    engine.dialect.do_rollback = _rollback_keeping_prepared_statements(engine.dialect.do_rollback)

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, _record, _proxy):
        # A pooled connection the server ended (restart, pg_terminate_backend, idle timeout) is
        # replaced before a step uses it. Instead of a round trip per checkout (pool_pre_ping),
        # look at the idle socket: the server says goodbye before it closes, so a connection
        # with something to read while nobody asked anything is not to be trusted.
        if _ended_by_server(dbapi_connection):
            raise DisconnectionError()

    return engine


def _rollback_keeping_prepared_statements(rollback):
    # psycopg forgets every statement it prepared on a connection when that connection rolls back
    # (a rolled-back transaction might have changed the schema they were planned on), and sends
    # DEALLOCATE ALL. Every request that only reads ends with a rollback, so the next step on that
    # pooled connection had all its statements parsed and planned again (about 1.4 ms more a step
    # on the benchmark's case). The server keeps prepared statements across a rollback, and our
    # transactions never change the schema (migrations run apart, and psycopg still forgets its
    # statements when it sees a DROP or ALTER go through): the ROLLBACK goes to libpq directly.
    def do_rollback(dbapi_connection) -> None:
        pgconn = dbapi_connection.pgconn
        if pgconn.transaction_status == pq.TransactionStatus.IDLE:
            return
        if pgconn.pipeline_status != pq.PipelineStatus.OFF:
            rollback(dbapi_connection)  # psycopg first settles an aborted pipeline
            return
        with dbapi_connection.lock:
            result = pgconn.exec_(b"ROLLBACK")
        if result.status != pq.ExecStatus.COMMAND_OK:
            rollback(dbapi_connection)  # let psycopg raise its error the way it does

    return do_rollback


def _ended_by_server(dbapi_connection) -> bool:
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):
        return True
    return bool(readable)


# An execution option: a transaction begun on a connection carrying it starts with the write lock.
SQLITE_WRITE_LOCK = "aiguillage_sqlite_write_lock"
# Noted on a SQLite connection as each transaction begins: whether it took the write lock, and the
# driver's count of rows changed so far (a transaction after which it is the same changed nothing).
_BEGAN_LOCKED = "aiguillage_began_locked"
_CHANGES_AT_BEGIN = "aiguillage_changes_at_begin"


def sqlite_transaction_state(connection: Connection) -> tuple[bool, bool]:
    """(began with the write lock, has changed rows) for the SQLite transaction open on `connection`."""
    changes = connection.connection.driver_connection.total_changes
    return bool(connection.info.get(_BEGAN_LOCKED)), changes != connection.info.get(_CHANGES_AT_BEGIN, changes)


def _sqlite_engine(url: str, **kwargs) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module (it opens them late and
        # breaks SAVEPOINT); SQLAlchemy's "begin" event below opens them instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit survives a power cut, the promise made to the caseworker.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        locked = bool(connection.get_execution_options().get(SQLITE_WRITE_LOCK))
        statement = "BEGIN IMMEDIATE" if locked else "BEGIN"
        connection.info[_BEGAN_LOCKED] = locked
        connection.info[_CHANGES_AT_BEGIN] = connection.connection.driver_connection.total_changes
        if watched(connection):
            connection.exec_driver_sql(statement)
            return
        # Straight to the driver: SQLAlchemy's execution context costs more than the BEGIN itself,
        # once per step (a busy database still comes back as SQLAlchemy's OperationalError).
        with translated_errors(connection, statement, ()):
            connection.connection.driver_connection.execute(statement)

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (views render them after the step)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
