"""Statements compiled once per database dialect and sent as they are, for the path every step takes.

    LOAD = Prepared(select(cases.c.id, cases.c.stage).where(cases.c.id == bindparam("case_id")))
    row = LOAD.first(connection, {"case_id": 7})     # values converted by the columns' types

SQLAlchemy's `Connection.execute` looks a Core statement up in its compiled cache and builds an
execution context on every call: a fixed cost larger than SQLite's own work for the small
statements a case step sends a dozen times. A `Prepared` statement is compiled once per dialect
(and per set of parameter names) and sent with `Connection.exec_driver_sql`, which keeps
SQLAlchemy's transaction, events and error translation; parameters and results go through the
same type conversions (`bind_processor`, `result_processor`) SQLAlchemy would apply.

Every parameter a statement needs is given by the caller: column defaults are not filled in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    positional: bool
    # (name, bind processor or None, constant) in the order the SQL text wants them.
    binds: tuple[tuple[str, Callable | None, Any], ...]
    results: tuple[Callable | None, ...]

    def parameters(self, values: Mapping[str, Any]) -> tuple | dict:
        converted = []
        for name, process, constant in self.binds:
            value = values[name] if constant is _MISSING else constant
            converted.append(process(value) if process is not None else value)
        if self.positional:
            return tuple(converted)
        return {name: value for (name, _, _), value in zip(self.binds, converted)}

    def row(self, raw: Sequence[Any]) -> tuple:
        return tuple(value if process is None else process(value) for process, value in zip(self.results, raw))


_MISSING = object()


class Prepared:
    """A Core statement, compiled on first use for each dialect and set of parameter names."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, dialect: Dialect, names: Iterable[str]) -> _Compiled:
        key = (dialect.name, frozenset(names))
        found = self._compiled.get(key)
        if found is None:
            found = self._compile(dialect, key[1])
            with self._lock:
                self._compiled[key] = found
        return found

    def _compile(self, dialect: Dialect, names: frozenset[str]) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=sorted(names))
        positional = compiled.positiontup is not None
        order = list(compiled.positiontup) if positional else list(compiled.binds)
        binds = []
        for name in order:
            bind = compiled.binds[name]
            if name in names:
                constant = _MISSING
            elif bind.value is not None:
                constant = bind.effective_value  # a literal of the statement, such as an enum member
            else:  # e.g. a column default of an INSERT, which SQLAlchemy would compute per row
                raise ValueError(f"{type(self.statement).__name__} needs a value for {name!r}")
            binds.append((name, bind.type.dialect_impl(dialect).bind_processor(dialect), constant))
        selected = getattr(self.statement, "selected_columns", None)
        if selected is not None:
            types = [column.type for column in selected]
        else:  # INSERT/UPDATE/DELETE, with or without RETURNING
            types = [description["type"] for description in self.statement.returning_column_descriptions]
        results = tuple(type_.dialect_impl(dialect).result_processor(dialect, None) for type_ in types)
        return _Compiled(compiled.string, positional, tuple(binds), results)

    def execute(self, connection: Connection, values: Mapping[str, Any] | None = None) -> CursorResult:
        """Run once with these values (keys: the statement's parameter names)."""
        values = values or {}
        compiled = self._for(connection.dialect, values)
        return connection.exec_driver_sql(compiled.sql, compiled.parameters(values))

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> CursorResult | None:
        """Run once per row (every row with the same keys)."""
        if not rows:
            return None
        compiled = self._for(connection.dialect, rows[0])
        return connection.exec_driver_sql(compiled.sql, [compiled.parameters(row) for row in rows])

    def rows(self, connection: Connection, values: Mapping[str, Any] | None = None) -> list[tuple]:
        """All result rows, each value converted by its column's type."""
        values = values or {}
        compiled = self._for(connection.dialect, values)
        parameters = compiled.parameters(values)
        if watched(connection):
            fetched = connection.exec_driver_sql(compiled.sql, parameters).fetchall()
        else:
            with translated_errors(connection, compiled.sql, parameters):
                cursor = connection.connection.driver_connection.cursor()
                try:
                    cursor.execute(compiled.sql, parameters)
                    fetched = cursor.fetchall()
                finally:
                    cursor.close()
        return [compiled.row(raw) for raw in fetched]

    def first(self, connection: Connection, values: Mapping[str, Any] | None = None) -> tuple | None:
        """The first result row (converted), or None."""
        found = self.rows(connection, values)
        return found[0] if found else None


def read_together(connection: Connection, reads: Sequence[tuple[Prepared, Mapping[str, Any]]]) -> list[list[tuple]]:
    """The rows of several queries (converted): on PostgreSQL in one round trip (psycopg's pipeline
    mode, which also carries the transaction's BEGIN), elsewhere one by one.

    Each query sees what the ones before it saw, or newer (one after the other in the transaction).
    """
    if connection.dialect.name != "postgresql" or watched(connection):
        return [statement.rows(connection, values) for statement, values in reads]
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    compiled = [(statement._for(dialect, values), values) for statement, values in reads]
    cursors = []
    sql, parameters = None, None
    try:
        with driver.pipeline():
            for found, values in compiled:
                sql, parameters = found.sql, found.parameters(values)
                cursors.append(driver.cursor())
                cursors[-1].execute(sql, parameters)
        return [[found.row(raw) for raw in cursor.fetchall()] for (found, _), cursor in zip(compiled, cursors)]
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
    finally:
        for cursor in cursors:
            cursor.close()


class StatementBatch:
    """Prepared statements written together: on PostgreSQL in one round trip (psycopg's pipeline
    mode), elsewhere one after the other as `Prepared.execute_many` sends them.

        batch = StatementBatch(connection)
        batch.add(UPDATE_CASE, [values], expect=1, on_mismatch=CaseMovedOn("..."))
        batch.add(INSERT_EVENTS, [event])
        batch.send()   # raises on_mismatch if the row count differs, else SQLAlchemy's errors

    A statement whose row count is checked (`expect`) is checked as soon as its result is in: on
    SQLite before the next statement runs; on PostgreSQL after the pipeline, and a database error
    of a later statement (a row the winning step wrote first) still reports the mismatch, which is
    what happened. The statements go straight to the driver (SQLAlchemy's per-statement execution
    context costs more than SQLite's own work for these small statements), within the
    transaction SQLAlchemy began, and its errors come back as SQLAlchemy's. With statement
    listeners attached (a benchmark counting statements) they go one by one through SQLAlchemy
    so that every one is seen.
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self._items: list[tuple[Prepared, list[Mapping[str, Any]], int | None, Exception | None]] = []

    def add(self, statement: Prepared, rows: Sequence[Mapping[str, Any]], expect: int | None = None,
            on_mismatch: Exception | None = None) -> None:
        """Queue `statement` once per row (nothing when there are no rows)."""
        if rows:
            self._items.append((statement, list(rows), expect, on_mismatch))

    def send(self) -> None:
        """Run everything queued, in order."""
        connection = self.connection
        try:
            if watched(connection):
                for statement, rows, expect, mismatch in self._items:
                    result = statement.execute_many(connection, rows)
                    if expect is not None and result.rowcount != expect:
                        raise mismatch
            else:
                self._direct(pipelined=connection.dialect.name == "postgresql")
        finally:
            self._items.clear()

    def _direct(self, pipelined: bool) -> None:
        connection = self.connection
        dialect = connection.dialect
        driver = connection.connection.driver_connection
        sent: list[tuple[Any, int | None, Exception | None]] = []
        current: tuple[str | None, Any] = (None, None)
        try:
            with driver.pipeline() if pipelined else nullcontext():
                for statement, rows, expect, mismatch in self._items:
                    compiled = statement._for(dialect, rows[0])
                    current = (compiled.sql, [compiled.parameters(row) for row in rows])
                    cursor = driver.cursor()
                    sent.append((cursor, expect, mismatch))
                    if len(rows) == 1:
                        cursor.execute(compiled.sql, current[1][0])
                    else:
                        cursor.executemany(compiled.sql, current[1])
                    if not pipelined:
                        _raise_mismatch(sent[-1:])
            _raise_mismatch(sent)  # the pipeline's results are in
        except dialect.loaded_dbapi.Error as error:
            _raise_mismatch(sent)
            raise DBAPIError.instance(current[0], current[1], error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        finally:
            for cursor, _, _ in sent:
                cursor.close()


def watched(connection: Connection) -> bool:
    """True when something listens to the statements sent (a benchmark counting them): then they go
    through SQLAlchemy's execution, which tells the listeners; otherwise straight to the driver."""
    return bool(connection.dispatch.before_cursor_execute)


@contextmanager
def translated_errors(connection: Connection, sql: str, parameters) -> Iterator[None]:
    # The driver's errors as SQLAlchemy's (IntegrityError, OperationalError...), as if sent through it.
    dialect = connection.dialect
    try:
        yield
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect) from error


def _raise_mismatch(sent) -> None:
    for cursor, expect, mismatch in sent:
        if expect is not None and cursor.rowcount >= 0 and cursor.rowcount != expect:
            raise mismatch
