"""Column types shared by the tables: aware UTC times, enums stored as their values, and text kept compressed."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum as PyEnum

import lz4.frame
from sqlalchemy import DateTime, Enum, LargeBinary, Text
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Stores UTC and returns aware datetimes, also on SQLite (which keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given where an aware UTC time is needed")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    # On SQLite the text is written and read by the standard library's C code instead of through
    # SQLAlchemy's generic processors: a step binds about eight times and reads a dozen, and the
    # generic path cost 4 µs a time. The text is the same as SQLAlchemy's SQLite DATETIME writes
    # ("2026-12-06 13:58:51.104630", microseconds always), so that stored times compare as before.

    def bind_processor(self, dialect):
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            value = self.process_bind_param(value, dialect)  # naive refused, UTC without its zone
            return None if value is None else value.isoformat(" ", "microseconds")

        return process

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=timezone.utc)

        return process


def enum_column(enum: type[PyEnum], name: str) -> Enum:
    """A string column holding the enum's values (not names), without a native database type."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# lz4's frame format begins with these bytes; JSON text never does.
_LZ4_FRAME_MAGIC = b"\x04\x22\x4d\x18"


class CompressedText(TypeDecorator):
    """Text stored compressed with lz4 (a BLOB in a TEXT column on SQLite, bytea on PostgreSQL); read
    back as text whether it was stored compressed, as bytes of plain text, or as text (rows written
    before the column was compressed).

    For a case's saved workflow, rewritten by every step: on SQLite the row then fits in its page
    instead of spilling onto overflow pages, each a page more for the commit to write; PostgreSQL
    receives and keeps a quarter of the bytes, with nothing left for it to compress.
    """

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        # SQLite keeps whatever value it is given in a TEXT column: no table to rebuild for the change.
        return dialect.type_descriptor(Text() if dialect.name == "sqlite" else LargeBinary())

    def process_bind_param(self, value: str | bytes | None, dialect) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = value.encode("utf-8")
        return lz4.frame.compress(value)

    def process_result_value(self, value: str | bytes | memoryview | None, dialect) -> str | None:
        if value is None or isinstance(value, str):
            return value
        value = bytes(value)
        if value.startswith(_LZ4_FRAME_MAGIC):
            value = lz4.frame.decompress(value)
        return value.decode("utf-8")
