"""HSDS files: a bad file is refused with every problem located and nothing written; CSV tables read as JSON does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.services.directory.exchange import MAX_BYTES, export_files, import_directory
from engine.store.models import Organisation, OrganisationService

HSDS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "hsds" / "littoral-directory.json"


def _counts(container):
    with container.uow() as uow:
        return (uow.session.scalar(select(func.count()).select_from(Organisation)),
                uow.session.scalar(select(func.count()).select_from(OrganisationService)))


def _write(tmp_path, document) -> Path:
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_broken_json_is_refused_with_its_line(container, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"services": [\n  {"id": "a",}\n]}', encoding="utf-8")
    report = import_directory(container.uow(), container.clock, path)
    (problem,) = report.problems
    assert str(problem).startswith("broken.json line 2 column") and "not valid JSON" in str(problem)


def test_every_problem_is_located_and_nothing_is_written(container, tmp_path):
    document = json.loads(HSDS_FILE.read_text(encoding="utf-8"))
    services = document["services"]
    del services[0]["name"]
    services[1]["attributes"][0]["taxonomy_term"]["code"] = "astrology"
    services[2]["id"] = services[1]["id"]
    services[2]["minimum_age"] = "twelve"
    before = _counts(container)
    report = import_directory(container.uow(), container.clock, _write(tmp_path, document))
    located = {(p.where, p.field) for p in report.problems}
    assert ("directory.json#/services/0", "name") in located
    assert ("directory.json#/services/1", "attributes") in located  # unknown sector
    assert ("directory.json#/services/2", "id") in located  # duplicate id
    assert ("directory.json#/services/2", "minimum_age") in located
    assert not report.written and _counts(container) == before


def test_a_service_of_an_organization_nobody_knows_is_refused(container, tmp_path):
    document = json.loads(HSDS_FILE.read_text(encoding="utf-8"))
    document["services"][0]["organization_id"] = "nobody"
    report = import_directory(container.uow(), container.clock, _write(tmp_path, document))
    assert [(p.where, p.field) for p in report.problems] == [("directory.json#/services/0", "organization_id")]


def test_a_file_over_the_size_limit_is_refused_before_reading(container, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    report = import_directory(container.uow(), container.clock, path)
    assert "larger than the 50 MB" in str(report.problems[0]) and _counts(container) == (0, 0)


def test_csv_tables_locate_problems_by_file_and_line(container, tmp_path):
    import_directory(container.uow(), container.clock, HSDS_FILE)
    export_files(container.uow(), tmp_path / "tables", "csv")
    services = tmp_path / "tables" / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("minimum_age")] = "-3"
    lines[2] = ",".join(cells)
    services.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_directory(container.uow(), container.clock, tmp_path / "tables", dry_run=True)
    assert [(p.where, p.field) for p in report.problems] == [("services.csv line 3", "minimum_age")]


def test_csv_export_neutralises_formulas_keeps_numbers_and_reads_back_unchanged(container, tmp_path):
    document = json.loads(HSDS_FILE.read_text(encoding="utf-8"))
    document["organizations"][1]["name"] = "=HYPERLINK(\"http://example.invalid\",\"Foyer\")"
    document["services"][0]["description"] = "@SUM(A1)"
    import_directory(container.uow(), container.clock, _write(tmp_path, document))
    export_files(container.uow(), tmp_path / "tables", "csv")
    organisations = (tmp_path / "tables" / "organizations.csv").read_text(encoding="utf-8")
    services = (tmp_path / "tables" / "services.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in organisations and ",=HYPERLINK(" not in organisations
    assert ",'@SUM(A1)," in services
    assert ",+237 600 00 00 01" in (tmp_path / "tables" / "phones.csv").read_text(encoding="utf-8")
    again = import_directory(container.uow(), container.clock, tmp_path / "tables" / "datapackage.json", dry_run=True)
    assert (again.problems, again.services_updated, again.organisations_updated) == ([], {}, {})


def test_a_dry_run_lists_the_changes_and_writes_nothing(container, tmp_path):
    import_directory(container.uow(), container.clock, HSDS_FILE)
    document = json.loads(HSDS_FILE.read_text(encoding="utf-8"))
    document["services"][0]["capacities"][0]["available"] = 3
    document["services"][0]["unknown_field"] = {"kept": True}
    report = import_directory(container.uow(), container.clock, _write(tmp_path, document), dry_run=True)
    assert report.services_updated == {"9b1f3c2e-0000-4000-8000-000000000001": ["capacity_available", "extra"]}
    with container.uow() as uow:
        assert uow.session.scalar(select(OrganisationService.capacity_available)
                                  .where(OrganisationService.hsds_id.like("%0001"))) == 12


def test_what_has_no_place_is_listed_as_dropped(container, tmp_path):
    document = json.loads(HSDS_FILE.read_text(encoding="utf-8"))
    document["services"][0]["service_areas"][0]["extent"] = "POLYGON(...)"
    report = import_directory(container.uow(), container.clock, _write(tmp_path, document), dry_run=True)
    assert any("service_areas.extent" in line for line in report.dropped)


PLAIN_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "hsds" / "plain-service-list.json"


def test_a_file_from_outside_the_mechanism_needs_a_sector_and_then_round_trips(container, tmp_path):
    refused = import_directory(container.uow(), container.clock, PLAIN_FILE)
    assert [(p.field, "no sector" in p.message) for p in refused.problems] == [("attributes", True)]
    imported = import_directory(container.uow(), container.clock, PLAIN_FILE, default_sector="mhpss")
    assert imported.written and imported.organisations_created == ["0b7e2c9d-1f4a-4e55-8a3b-6c2d1e0f9a77"]
    assert any("service_areas.description" in line for line in imported.dropped)
    for form in ("json", "csv"):
        target = tmp_path / form
        export_files(container.uow(), target.with_suffix(".json") if form == "json" else target, form)
        again = import_directory(container.uow(), container.clock,
                                 target.with_suffix(".json") if form == "json" else target / "datapackage.json", dry_run=True)
        assert (again.problems, again.services_updated, again.organisations_updated, again.services_unchanged) == ([], {}, {}, 1)
    exported = json.loads((tmp_path / "json.json").read_text(encoding="utf-8"))
    (service,) = exported["services"]
    assert service["cost_options"][0]["currency"] == "XAF" and service["program"]["name"] == "Community wellbeing"
    assert service["service_areas"] == [{"id": f"{service['id']}-area-extreme_nord", "service_id": service["id"], "name": "extreme_nord"}]
    (organisation,) = [o for o in exported["organizations"] if o["id"].startswith("0b7e")]
    assert organisation["legal_status"] == "Association"


def _broken(kind: str, tmp_path) -> Path:
    """A file of the acceptance's broken kinds, built from the good fixture."""
    document = json.loads(HSDS_FILE.read_text(encoding="utf-8"))
    services = document["services"]
    if kind == "bad JSON":
        path = tmp_path / "directory.json"
        path.write_text(json.dumps(document)[:-40], encoding="utf-8")
        return path
    if kind == "missing required fields":
        del services[1]["organization_id"]
        del document["organizations"][1]["name"]
    elif kind == "unknown sector":
        services[2]["attributes"][0]["taxonomy_term"]["code"] = "astrology"
    elif kind == "duplicate ids":
        document["organizations"][1]["id"] = document["organizations"][0]["id"]
        services[1]["id"] = services[0]["id"]
    elif kind == "50 MB":
        folder = tmp_path / "tables"
        folder.mkdir()
        (folder / "services.csv").write_text("id,name\n", encoding="utf-8")
        with (folder / "phones.csv").open("wb") as out:
            out.truncate(MAX_BYTES)
        return folder
    return _write(tmp_path, document)


BROKEN = {
    "bad JSON": [("directory.json line 1 column", None)],
    "missing required fields": [("directory.json#/organizations/1", "name"), ("directory.json#/services/1", "organization_id")],
    "unknown sector": [("directory.json#/services/2", "attributes")],
    "duplicate ids": [("directory.json#/organizations/1", "id"), ("directory.json#/services/1", "id")],
    "50 MB": [("tables", None)],
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_file_is_refused_with_its_problems_located_and_nothing_written(container, tmp_path, kind):
    import_directory(container.uow(), container.clock, HSDS_FILE)
    before = (_counts(container), _export(container, tmp_path / "before.json"))
    report = import_directory(container.uow(), container.clock, _broken(kind, tmp_path))
    located = sorted((p.where if not p.where.startswith("directory.json line 1") else "directory.json line 1 column", p.field)
                     for p in report.problems)
    assert located == BROKEN[kind] and not report.written
    assert (_counts(container), _export(container, tmp_path / "after.json")) == before


def _export(container, path: Path) -> str:
    export_files(container.uow(), path, "json")
    return path.read_text(encoding="utf-8")
