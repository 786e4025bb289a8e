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


def test_service_areas_are_filled_from_the_regions_each_service_or_its_organisation_names(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0010")
        connection.execute(text(
            "INSERT INTO organisations (id, slug, name, kind, is_provider, mou_signed, data_sharing_signed, regions, is_demo, "
            "is_secretariat, created_at, extra) VALUES (1, 'hopital', 'Hôpital', 'ministry', 1, 1, 1, '[\"littoral\", \"ouest\"]', "
            "0, 0, '2026-01-01 00:00:00', '{}')"))
        for sid, sector, regions in ((7, 'health', '["centre", "sud"]'), (8, 'shelter', '[]')):
            connection.execute(text(
                "INSERT INTO organisation_services (id, hsds_id, organisation_id, sector, name, regions, languages, "
                "accepted_priorities, active, sites, response_hours, eligible_sexes, target_groups, extra, capacity_period) "
                f"VALUES ({sid}, 's{sid}', 1, '{sector}', 'S', '{regions}', '[]', '[]', 1, '[]', '{{}}', '[]', '[]', '{{}}', 'month')"))
    upgrade_database(engine)
    with engine.connect() as connection:
        rows = set(connection.execute(text("SELECT service_id, sector, region FROM service_areas")).all())
    engine.dispose()
    assert rows == {(7, "health", "centre"), (7, "health", "sud"), (8, "shelter", "littoral"), (8, "shelter", "ouest")}
