"""Migrations build the schema from nothing, and agree with the models."""

from __future__ import annotations

import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from engine.services.accounts.creation import create_organisation
from engine.store.db import make_engine
from engine.store.migrate import current_revision, head_revision, upgrade_database
from engine.store.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    """An engine on a database with no table at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield engine
        engine.dispose()
        return
    # A fresh schema in the session's test database: as empty as a new database, much faster to drop.
    url, _emptying = request.getfixturevalue("_postgres_database")
    schema = f"empty_{secrets.token_hex(4)}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_from_empty_creates_every_table(empty_engine):
    assert current_revision(empty_engine) is None
    before, after = upgrade_database(empty_engine)
    assert (before, after) == (None, head_revision())
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_upgrading_an_up_to_date_database_changes_nothing(empty_engine):
    upgrade_database(empty_engine)
    assert upgrade_database(empty_engine) == (head_revision(), head_revision())


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == [], "run the autogenerate revision command: models changed without a migration"


def test_sqlite_databases_are_durable_and_enforce_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10_000}


def test_each_test_starts_on_an_empty_database_whose_ids_start_at_one(container, clock):
    with container.engine.connect() as connection:
        counts = {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in Base.metadata.tables}
    assert set(counts.values()) == {0}
    assert create_organisation(container.uow(), clock, "first", "First organisation") == 1


def test_saved_workflows_are_stored_compressed_and_read_back_in_every_form(container, uow, make_case):
    # Compressed by the engine; rows saved before (text on SQLite, plain bytes on PostgreSQL) still read.
    from engine.store.models import CaseRow
    from engine.store.types import CompressedText

    saved = '{"case": "' + "é" * 2000 + '"}'
    case_id = make_case()
    with uow() as u:
        u.session.get(CaseRow, case_id).workflow_json = saved
        u.commit()
    with container.engine.connect() as connection:
        stored = connection.execute(text("SELECT workflow_json FROM cases WHERE id = :id"), {"id": case_id}).scalar()
        storage = (connection.execute(text(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'cases'::regclass AND attname = 'workflow_json'"))
            .scalar() if connection.dialect.name == "postgresql" else "e")
        kept = connection.execute(select(CaseRow.workflow_json).where(CaseRow.id == case_id)).scalar()
    assert bytes(stored).startswith(b"\x04\x22\x4d\x18") and len(bytes(stored)) < len(saved.encode()) / 10
    assert storage == "e"  # PostgreSQL keeps it out of line when large and never compresses it again
    assert kept == saved
    for earlier in (saved, saved.encode(), memoryview(saved.encode())):
        assert CompressedText().process_result_value(earlier, container.engine.dialect) == saved


def test_audit_rows_survive_the_move_to_a_partial_unique_chain_index(empty_engine):
    # Revision 0023 copies the audit log into a new table on SQLite; sealed places stay unique.
    from alembic import command

    from engine.store.migrate import alembic_config

    with empty_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0022")
        for row_id, seq in ((1, 1), (2, None), (3, None)):
            connection.execute(text(
                "INSERT INTO audit_log (id, at, action, object_type, details, chain_seq) "
                "VALUES (:id, '2026-12-01 10:00:00', 'case.read', 'case', '{}', :seq)"), {"id": row_id, "seq": seq})
    upgrade_database(empty_engine)
    with empty_engine.connect() as connection:
        kept = connection.execute(text("SELECT id, chain_seq FROM audit_log ORDER BY id")).all()
        indexes = {index["name"]: index for index in inspect(connection).get_indexes("audit_log")}
    assert [tuple(row) for row in kept] == [(1, 1), (2, None), (3, None)]
    assert indexes["uq_audit_log_chain_seq"]["unique"]
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET chain_seq = 1 WHERE id = 2"))


def test_a_step_on_sqlite_writes_no_index_entry_for_an_empty_task_column(tmp_path):
    # The pages a step writes are what a durable commit pays for (see revision 0023).
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_database(engine)
    with engine.connect() as connection:
        partial = {name: sql for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        candidates = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'task_candidates'").scalar()
    engine.dispose()
    for name, column in (("ix_tasks_assignee_state", "assignee_id"), ("ix_tasks_referral_state", "referral_id"),
                         ("ix_tasks_completed_at", "completed_at"), ("uq_audit_log_chain_seq", "chain_seq")):
        assert partial[name].endswith(f"WHERE {column} IS NOT NULL"), name
    assert "WITHOUT ROWID" in candidates
