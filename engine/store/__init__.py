"""The database: tables, migrations, unit of work and repositories (SQLAlchemy 2)."""

from engine.store.db import make_engine, session_factory
from engine.store.migrate import upgrade_database
from engine.store.unit_of_work import UnitOfWork

__all__ = ["UnitOfWork", "make_engine", "session_factory", "upgrade_database"]
