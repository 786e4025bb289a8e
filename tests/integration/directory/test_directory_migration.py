"""The directory migration keeps every service an installation already had, and gives each an HSDS id."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from engine.store.db import make_engine
from engine.store.migrate import alembic_config, upgrade_database


def test_existing_services_keep_their_profile_and_get_an_hsds_id(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(text(
            "INSERT INTO organisations (id, slug, name, kind, is_provider, mou_signed, data_sharing_signed, regions, is_demo, "
            "is_secretariat, created_at) VALUES (1, 'hopital', 'Hôpital', 'ministry', 1, 1, 1, '[\"littoral\"]', 0, 0, "
            "'2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO organisation_services (id, organisation_id, sector, name, regions, languages, accepted_priorities, "
            "capacity, active) VALUES (7, 1, 'health', 'Soins', '[\"littoral\"]', '[\"french\"]', '[\"urgent\"]', 20, 1)"))
    upgrade_database(engine)
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT hsds_id, sector, name, regions, languages, accepted_priorities, capacity, active, target_groups, extra, "
            "capacity_period FROM organisation_services")).one()
        organisation_extra = connection.execute(text("SELECT extra FROM organisations")).scalar()
    engine.dispose()
    assert tuple(row) == ("service-7", "health", "Soins", '["littoral"]', '["french"]', '["urgent"]', 20, 1, "[]", "{}", "month")
    assert organisation_extra == "{}"
