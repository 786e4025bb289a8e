"""Shared test fixtures."""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from engine.bootstrap import Container, Settings, build
from engine.clock import ManualClock
from engine.store.db import make_engine, normalise_url
from engine.store.migrate import upgrade_database

ROOT = Path(__file__).resolve().parent.parent


# A Monday morning in Douala: when the tests' clocks start.
START = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when the test says so (a Monday morning in Douala)."""
    return ManualClock(START)


# --- Databases -------------------------------------------------------------------------------
# Every test that asks for `database_url` runs twice: on SQLite and on PostgreSQL, each time on an
# empty, migrated database. PostgreSQL gets one database per test session, emptied between tests.

POSTGRES_ADMIN_URL = os.environ.get(
    "AIGUILLAGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_admin_url():
    """The PostgreSQL test server's admin URL; skips when unreachable (fails if CI requires it)."""
    url = make_url(normalise_url(POSTGRES_ADMIN_URL))
    try:
        admin = create_engine(url, connect_args={"connect_timeout": 3})
        with admin.connect():
            pass
        admin.dispose()
    except Exception as error:  # any failure to reach the server means the same thing here
        reason = f"PostgreSQL unreachable at {url.render_as_string(hide_password=True)}: {error}"
        if os.environ.get("AIGUILLAGE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (AIGUILLAGE_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(reason)
    return url


@contextmanager
def _new_postgres_database(admin_url):
    """A uniquely named, migrated PostgreSQL database (its URL), dropped on leaving."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"aiguillage_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        _drop_abandoned_test_databases(connection)
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        upgrade_database(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_database(postgres_admin_url):
    """A uniquely named, migrated PostgreSQL database for this test session, dropped at the end."""
    with _new_postgres_database(postgres_admin_url) as url:
        yield url, _emptying_statements(url)


def _emptying_statements(url: str) -> str:
    engine = make_engine(url)
    reflected = MetaData()
    reflected.reflect(engine)
    with engine.connect() as connection:
        sequences = connection.execute(text("SELECT sequence_name FROM information_schema.sequences")).scalars().all()
    engine.dispose()
    # DELETE in dependency order is ten times faster than TRUNCATE on a handful of rows.
    return "; ".join(
        [f'DELETE FROM "{t.name}"' for t in reversed(reflected.sorted_tables) if t.name != "alembic_version"]
        + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    )


def _drop_abandoned_test_databases(connection) -> None:
    # A killed test run cannot drop its database; the pid in the name tells whether it still runs.
    names = connection.execute(
        text("SELECT datname FROM pg_database WHERE datname LIKE 'aiguillage\\_test\\_%' OR datname LIKE 'aiguillage\\_empty\\_%'")
    ).scalars()
    for name in list(names):
        pid = name.split("_")[2]
        if pid.isdigit() and not _process_exists(int(pid)):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# The databases every test of a database runs on.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database: SQLite, then PostgreSQL."""
    return empty_database_url(request, tmp_path)


def _sqlite_copy(request, directory: Path) -> str:
    path = directory / "aiguillage.sqlite"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return f"sqlite:///{path}"


def empty_database_url(request, directory: Path) -> str:
    """An empty, migrated database of the kind `request.param` names (a SQLite file in `directory`)."""
    if request.param == "sqlite":
        return _sqlite_copy(request, directory)
    url, emptying = request.getfixturevalue("_postgres_database")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(emptying)
    engine.dispose()
    return url


@contextmanager
def database_of_its_own(request, directory: Path):
    """An empty, migrated database of the kind `request.param` names that no other test empties: a SQLite
    file in `directory`, or a PostgreSQL database of its own (the session's is emptied by every test that
    asks for `database_url`), dropped on leaving."""
    if request.param == "sqlite":
        yield _sqlite_copy(request, directory)
        return
    with _new_postgres_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


@pytest.fixture
def container(database_url, tmp_path, clock) -> Container:
    """The application's parts on the test database, with the test's manual clock."""
    built = build(Settings(database_url=database_url, instance_dir=tmp_path / "instance"), clock=clock)
    yield built
    built.dispose()


@pytest.fixture
def uow(container):
    """Makes units of work on the test database: `with uow() as u: ...`."""
    return container.uow
