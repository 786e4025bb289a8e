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

import enum
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, case, cast, func, literal, literal_column, select
from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, visitors
from sqlalchemy.sql.elements import BindParameter


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
        statement = self.statement
        if dialect.name == "sqlite":
            statement = _constants_written_in(statement, names, dialect)
        compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
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


def _constants_written_in(statement: ClauseElement, names: frozenset[str], dialect: Dialect) -> ClauseElement:
    """The statement with its own constants (a state, a kind) written into its text, not bound.

    SQLite re-plans a statement at every execution when the value bound to a column could decide
    whether a partial index applies (`tasks.state = ?` beside an index `WHERE state = 'open'`): the
    step's read of its task and open siblings took 30 µs instead of 5. Written in, the constant is
    seen once, when the statement is prepared, and the driver's statement cache keeps the plan.
    """
    def written(element):
        if not isinstance(element, BindParameter) or element.key in names or element.callable is not None:
            return None
        value = element.effective_value
        if isinstance(value, bool) or not isinstance(value, (str, int, enum.Enum)):
            return None
        render = element.type.dialect_impl(dialect).literal_processor(dialect)
        return None if render is None else literal_column(render(value), type_=element.type)

    return visitors.replacement_traverse(statement, {}, written)


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
    mode), with the transaction's COMMIT when asked; elsewhere one after the other as
    `Prepared.execute_many` sends them.

        batch = StatementBatch(connection)
        batch.add(UPDATE_CASE, [values], expect=1, on_mismatch=CaseMovedOn("..."))
        batch.add(INSERT_EVENTS, [event])
        batch.send()   # raises on_mismatch if the row count differs, else SQLAlchemy's errors

    A statement whose row count is checked (`expect`) stops the batch when it finds another count:
    on SQLite it is checked before the next statement runs; on PostgreSQL it fails on the server
    (see `_checked`), so that the pipeline stops there, a COMMIT sent with it is not carried out,
    and the mismatch is what is reported (not a later statement's clash with the winner's rows).
    The statements go straight to the driver (SQLAlchemy's per-statement execution context costs
    more than the database's own work for these small statements), within the transaction
    SQLAlchemy began, and its errors come back as SQLAlchemy's. With statement listeners attached
    (a benchmark counting statements) they go one by one through SQLAlchemy so that every one is seen.
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self._items: list[tuple[Prepared, list[Mapping[str, Any]], int | None, Exception | None]] = []

    def add(self, statement: Prepared, rows: Sequence[Mapping[str, Any]], expect: int | None = None,
            on_mismatch: Exception | None = None) -> None:
        """Queue `statement` once per row (nothing when there are no rows); a checked one takes one row."""
        if expect is not None and len(rows) != 1:
            # Checked on the server per execution on PostgreSQL, by the total on SQLite: one row agrees on both.
            raise ValueError(f"a statement whose row count is checked takes one row, not {len(rows)}")
        if rows:
            self._items.append((statement, list(rows), expect, on_mismatch))

    def send(self, commit: bool = False) -> bool:
        """Run everything queued, in order. With `commit`, on PostgreSQL the transaction's COMMIT goes
        in the same round trip: True when it did (the caller's commit then finds nothing left to do)."""
        connection = self.connection
        try:
            if watched(connection):
                for statement, rows, expect, mismatch in self._items:
                    result = statement.execute_many(connection, rows)
                    if expect is not None and result.rowcount != expect:
                        raise mismatch
                return False
            if connection.dialect.name == "postgresql":
                self._pipelined(commit)
                return commit
            self._one_by_one()
            return False
        finally:
            self._items.clear()

    def _one_by_one(self) -> None:
        connection = self.connection
        driver = connection.connection.driver_connection
        for statement, rows, expect, mismatch in self._items:
            compiled = statement._for(connection.dialect, rows[0])
            parameters = [compiled.parameters(row) for row in rows]
            with translated_errors(connection, compiled.sql, parameters):
                cursor = driver.cursor()
                try:
                    _run(cursor, compiled.sql, parameters)
                    if expect is not None and cursor.rowcount != expect:
                        raise mismatch
                finally:
                    cursor.close()

    def _pipelined(self, commit: bool) -> None:
        connection = self.connection
        dialect = connection.dialect
        driver = connection.connection.driver_connection
        current: tuple[str | None, Any] = (None, None)
        # One cursor for them all: none of their results is read (a checked statement fails on the
        # server), and an error still stops the pipeline and comes back when it ends.
        cursor = driver.cursor()
        try:
            with driver.pipeline():
                for index, (statement, rows, expect, _) in enumerate(self._items):
                    if expect is not None:
                        statement, rows = _checked(statement, frozenset(rows[0]), expect), _labelled(rows, index)
                    compiled = statement._for(dialect, rows[0])
                    current = (compiled.sql, [compiled.parameters(row) for row in rows])
                    _run(cursor, *current)
                if commit:
                    current = ("COMMIT", None)
                    cursor.execute("COMMIT")
        except dialect.loaded_dbapi.Error as error:
            index = _mismatched_statement(error)
            if index is not None:
                raise self._items[index][3] from None
            raise DBAPIError.instance(current[0], current[1], error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        finally:
            cursor.close()


def _run(cursor, sql: str, parameters: list) -> None:
    """The statement once per set of parameters: one execution, or one `executemany`."""
    if len(parameters) == 1:
        cursor.execute(sql, parameters[0])
    else:
        cursor.executemany(sql, parameters)


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


# ---- PostgreSQL: a checked statement that fails on another row count -----------------------------
#
# A pipeline carries on after a statement that changed no row, and its COMMIT would commit what
# the step wrote before (through the ORM) and after. So a checked statement is sent as a CTE whose
# row count decides a cast to an integer: of "0" when it found its count, of a text naming the
# statement when it did not, which fails and aborts the pipeline and the transaction with it.
# The cast applies to the CASE's result, known only at run time (a constant would fail at planning).

_MISMATCH = "aiguillage: row count mismatch in statement "
_CHECK_LABEL = "aiguillage_check_label"
_checked_statements: dict[tuple, Prepared] = {}
_checked_lock = threading.Lock()


def _checked(statement: Prepared, names: frozenset[str], expect: int) -> Prepared:
    key = (statement, names, expect)
    found = _checked_statements.get(key)
    if found is None:
        dml = statement.statement
        if dml.is_update:  # the SET clause from the values given, as `Prepared` compiles it
            in_clause = set()
            visitors.traverse(dml, {}, {"bindparam": lambda bind: in_clause.add(bind.key)})
            dml = dml.values({name: bindparam(name) for name in sorted(names - in_clause) if name in dml.table.c})
        elif dml.is_insert:  # inside a CTE an INSERT names its columns itself: those given
            dml = dml.values({name: bindparam(name) for name in sorted(names) if name in dml.table.c})
        changed = dml.returning(literal(1)).cte("checked")
        count = select(func.count()).select_from(changed).scalar_subquery()
        found = Prepared(select(cast(case((count == expect, literal("0")), else_=bindparam(_CHECK_LABEL)), Integer)))
        with _checked_lock:
            _checked_statements[key] = found
    return found


def _labelled(rows: list[Mapping[str, Any]], index: int) -> list[dict[str, Any]]:
    return [{**row, _CHECK_LABEL: f"{_MISMATCH}{index}"} for row in rows]


def _mismatched_statement(error) -> int | None:
    """The index of the checked statement whose count differed, if that is what failed."""
    message = getattr(getattr(error, "diag", None), "message_primary", None) or ""
    if getattr(error, "sqlstate", None) == "22P02" and _MISMATCH in message:
        return int(message.split(_MISMATCH, 1)[1].split('"', 1)[0])
    return None
