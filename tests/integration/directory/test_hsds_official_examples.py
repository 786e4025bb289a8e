"""The official HSDS 3.0 examples round-trip: import, export (JSON and CSV), import again into an empty
directory gives the same directory. The files here have the examples' exact shape (same files, columns
and nesting) with invented content; bench/hsds_examples.py runs the same on the official files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from engine.domain import Sector
from engine.services.directory.exchange import ORGANISATION_COLUMNS, SERVICE_COLUMNS, export_files, import_directory, same_value
from engine.store.models import Organisation, OrganisationService, ServiceArea

SHAPE = Path(__file__).resolve().parents[2] / "fixtures" / "hsds" / "official-shape"
SERVICE = "abf0f751-ded0-5d2f-8f4a-7b5c9e33ccdc"
EXAMPLES = ("csv", "tabular.json", "service_full.json", "organization_full.json", "service_list.json", "organization_list.json")


def _directory(container) -> tuple[dict, dict]:
    with container.uow() as uow:
        organisations = {o.slug: {c: getattr(o, c) for c in ORGANISATION_COLUMNS} for o in uow.session.scalars(select(Organisation))}
        services = {s.hsds_id: {c: getattr(s, c) for c in SERVICE_COLUMNS} for s in uow.session.scalars(select(OrganisationService))}
    return organisations, services


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(same_value(c, a[k][c], b[k][c]) for k in a for c in a[k])


def _empty(container) -> None:
    with container.uow() as uow:
        uow.session.execute(delete(OrganisationService))
        uow.session.execute(delete(Organisation))
        uow.commit()


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_round_trips_through_json_and_csv(container, tmp_path, example):
    first = import_directory(container.uow(), container.clock, SHAPE / example, default_sector="mhpss")
    assert first.written and len(first.organisations_created) == 1
    assert len(first.services_created) == (0 if example == "organization_list.json" else 1)
    organisations, services = _directory(container)
    export_files(container.uow(), tmp_path / "export.json", "json")
    export_files(container.uow(), tmp_path / "tables", "csv")
    for exported in (tmp_path / "export.json", tmp_path / "tables"):
        _empty(container)
        again = import_directory(container.uow(), container.clock, exported)
        assert again.written and again.problems == [] and again.dropped == []
        assert [_same(a, b) for a, b in zip(_directory(container), (organisations, services))] == [True, True]


def test_what_the_examples_hold_is_read_kept_or_listed_as_dropped(container):
    report = import_directory(container.uow(), container.clock, SHAPE / "service_full.json", default_sector="mhpss")
    assert report.written
    with container.uow() as uow:
        service = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == SERVICE))
        organisation = uow.session.get(Organisation, service.organisation_id)
        areas = set(uow.session.scalars(select(ServiceArea.region).where(ServiceArea.service_id == service.id)))
    # Read into the directory's columns.
    assert (service.regions, service.languages, service.sites) == (["nord"], ["fulfulde"], ["Centre communautaire de Garoua (fictional)"])
    assert areas == {"nord"} and (service.minimum_age, service.maximum_age) == (15, 60)
    assert (service.contact_name, service.contact_phone) == ("Awa Exemple", "+237 600 00 00 00")
    # Kept as they came, exported again: fields and objects the directory has no column for.
    assert {"alternate_name", "program", "funding", "cost_options", "required_documents", "phones", "metadata",
            "attributes"} <= set(service.extra)
    assert {"year_incorporated", "locations", "programs", "organization_identifiers"} <= set(organisation.extra)
    # Listed as dropped: the parts of nested objects the directory reads only in part.
    dropped = {line.rpartition(": ")[2] for line in report.dropped}
    assert {"schedules.freq", "service_areas.extent", "languages.note", "location.addresses", "contacts.department"} <= dropped


def test_a_foreign_directory_takes_its_sector_from_a_mapped_taxonomy_term_or_is_refused_row_by_row(container):
    refused = import_directory(container.uow(), container.clock, SHAPE / "csv")
    assert [(p.where, p.field) for p in refused.problems] == [("services.csv line 2", "attributes")]
    assert "no sector" in refused.problems[0].message and not refused.written
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OrganisationService)) == 0
    # The examples' one term (code "counselling" of their own taxonomy), by code or taxonomy:code.
    for term in ("counselling", "fictional-services-taxonomy:counselling"):
        mapped = import_directory(container.uow(), container.clock, SHAPE / "csv", dry_run=True, sector_terms={term: "mhpss"})
        assert mapped.problems == [] and mapped.services_created == [SERVICE]
    # A mapped term wins over the file's default sector.
    import_directory(container.uow(), container.clock, SHAPE / "csv", sector_terms={"Counselling": "mhpss"}, default_sector="health")
    with container.uow() as uow:
        assert uow.session.scalar(select(OrganisationService.sector)) == Sector.MHPSS
