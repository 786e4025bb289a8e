"""Reading the installation's settings row outside any unit of work (for the clock of each process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from engine.store.models.installation import INSTALLATION_ROW, InstallationSettings

# PostgreSQL's SQLSTATE for a table that does not exist.
UNDEFINED_TABLE = "42P01"


def training_offset_reader(engine: Engine) -> Callable[[], timedelta | None]:
    """What an InstallationClock reads: the training clock's offset, None when not a training installation."""
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        # One process's in-memory database (tests) is never a training installation; asking it on
        # a second connection would share, and then roll back, the caller's own connection.
        return lambda: None
    statement = select(InstallationSettings.training, InstallationSettings.clock_offset_seconds).where(
        InstallationSettings.id == INSTALLATION_ROW
    )

    def read() -> timedelta | None:
        # Its own short connection: the caller may be inside a transaction it must not disturb.
        try:
            with engine.connect() as connection:
                row = connection.execute(statement).first()
        except DBAPIError as error:
            if _missing_table(error):
                return None  # a database not yet initialised (`aiguillage init` runs on the system clock)
            raise
        if row is None or not row.training:
            return None
        return timedelta(seconds=row.clock_offset_seconds)

    return read


def _missing_table(error: DBAPIError) -> bool:
    driver_error = error.orig
    return getattr(driver_error, "sqlstate", None) == UNDEFINED_TABLE or "no such table" in str(driver_error)
