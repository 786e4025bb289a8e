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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, CursorResult, Dialect
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
        result = connection.exec_driver_sql(compiled.sql, compiled.parameters(values))
        return [compiled.row(raw) for raw in result.fetchall()]

    def first(self, connection: Connection, values: Mapping[str, Any] | None = None) -> tuple | None:
        """The first result row (converted), or None."""
        found = self.rows(connection, values)
        return found[0] if found else None
