"""The database: tables, migrations, unit of work and repositories (SQLAlchemy 2).

Migrations live in `engine.store.migrate` (imported on demand: Alembic is only needed to migrate).
"""

from engine.store.db import make_engine, session_factory
from engine.store.unit_of_work import UnitOfWork

__all__ = ["UnitOfWork", "make_engine", "session_factory"]
