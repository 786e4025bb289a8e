"""HSDS 3.0 files in and out: import (an upsert by id, with a dry run) and export, JSON or CSV tables.

A file with any problem is refused whole: every problem is reported with where it is (file and line,
or JSON pointer) and its field, and nothing is written. What an import cannot keep is listed as dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from engine.clock import Clock
from engine.domain import OrganisationKind
from engine.services.directory.hsds import HSDS_VERSION, organization_document, service_document
from engine.services.directory.reading import Problem, read_organization, read_service, same_extra
from engine.services.directory.tabular import (
    WHERE,
    table_name,
    csv_texts,
    datapackage_descriptor,
    nest,
    read_tables_from_csv,
    read_tables_from_datapackage,
    unnest,
)
from engine.store.models import AuditEntry, Organisation, OrganisationService
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

MAX_BYTES = 50 * 1024 * 1024
# Services written from which an import refreshes the database's statistics (see _refresh_statistics).
ANALYZE_FROM = 500
SERVICE_COLUMNS = (
    "name", "sector", "description", "url", "email", "active", "minimum_age", "maximum_age", "assured_date",
    "target_groups", "eligible_sexes", "accepted_priorities", "response_hours", "regions", "languages", "sites",
    "capacity", "capacity_available", "capacity_period", "contact_name", "contact_title", "contact_email",
    "contact_phone", "opening_hours", "fees_description", "eligibility_description", "extra",
)
ORGANISATION_COLUMNS = ("name", "description", "email", "website", "is_provider", "mou_signed", "data_sharing_signed", "extra")
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run, and what it refused or dropped."""

    source: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    organisations_updated: dict[str, list[str]] = field(default_factory=dict)  # slug -> changed fields
    services_created: list[str] = field(default_factory=list)
    services_updated: dict[str, list[str]] = field(default_factory=dict)  # hsds id -> changed fields
    services_unchanged: int = 0

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.problems


def read_document(path: Path) -> tuple[dict[str, list[dict]], list[str], list[Problem]]:
    """The nested HSDS document in a file or folder; the tables or fields dropped; the problems met."""
    name = path.name
    if not path.exists():
        return {}, [], [Problem(name, None, "no such file or folder")]
    files = sorted(path.glob("*.csv")) + sorted(path.glob("*.json")) if path.is_dir() else [path]
    size = sum(f.stat().st_size for f in files)
    if size > MAX_BYTES:
        return {}, [], [Problem(name, None, f"{size // (1024 * 1024)} MB: larger than the {MAX_BYTES // (1024 * 1024)} MB an import accepts")]
    if path.is_dir():
        package = path / "datapackage.json"
        if package.is_file():
            return _from_json(package)
        csvs = {f.name: f.read_text(encoding="utf-8") for f in files if f.suffix == ".csv"}
        if not csvs:
            return {}, [], [Problem(name, None, "no datapackage.json and no CSV table in this folder")]
        document, dropped = nest(read_tables_from_csv(csvs))
        return document, dropped, []
    if path.suffix.lower() == ".csv":
        return {}, [], [Problem(name, None, "a single CSV table: give the folder holding services.csv, organizations.csv... "
                                             "or its datapackage.json")]
    return _from_json(path)


def _from_json(path: Path) -> tuple[dict, list[str], list[Problem]]:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return {}, [], [Problem(name, None, "not UTF-8 text")]
    except json.JSONDecodeError as error:
        return {}, [], [Problem(f"{name} line {error.lineno} column {error.colno}", None, f"not valid JSON: {error.msg}")]
    if isinstance(data, dict) and isinstance(data.get("resources"), list):
        tables, problems = read_tables_from_datapackage(data, path.parent)
        document, dropped = nest(tables)
        return document, dropped, [Problem(f"{name}#{p.split(':')[0]}", None, p.partition(': ')[2]) for p in problems]
    if isinstance(data, dict) and data and all(key.endswith(".csv") and isinstance(rows, list) for key, rows in data.items()):
        # The tabular form written as JSON: {"services.csv": [rows], ...}.
        tables = {table_name(key): [{**row, WHERE: f"{name}#/{key}/{i}"} if isinstance(row, dict) else row
                                    for i, row in enumerate(rows)] for key, rows in data.items()}
        problems = [Problem(f"{name}#/{key}/{i}", None, "a row must be an object")
                    for key, rows in data.items() for i, row in enumerate(rows) if not isinstance(row, dict)]
        if problems:
            return {}, [], problems
        document, dropped = nest(tables)
        return document, dropped, []
    objects, dropped = _objects(data, name)
    if objects is None:
        return {}, [], [Problem(name, None, "expected an HSDS document: {organizations: [...], services: [...]}, a list of "
                                             "services, one service or organization, a page of them ({contents: [...]}), "
                                             "or the tabular form (datapackage.json, or {\"services.csv\": [...]})")]
    document: dict[str, list] = {"organizations": [], "services": []}
    known: set = set()
    for key, obj, pointer in objects:
        if not isinstance(obj, dict):
            document[key].append(obj)
            continue
        if key == "organizations":
            # An organization may carry its services (the HSDS API's organization_full).
            for j, service in enumerate(obj.get("services") or [] if isinstance(obj.get("services"), list) else []):
                if isinstance(service, dict):
                    document["services"].append({"organization_id": obj.get("id"), **service, WHERE: f"{pointer}/services/{j}"})
            obj = {k: v for k, v in obj.items() if k != "services"}
            known.add(obj.get("id"))
        document[key].append({**obj, WHERE: pointer})
    # A service may carry its organization nested (the HSDS API's shape).
    for service in list(document["services"]):
        org = service.get("organization") if isinstance(service, dict) else None
        if isinstance(org, dict) and org.get("id") not in known:
            document["organizations"].append({**org, WHERE: f"{service[WHERE]}/organization"})
            known.add(org.get("id"))
    return document, dropped, []


def _objects(data: Any, name: str) -> tuple[list[tuple[str, Any, str]] | None, list[str]]:
    """(organizations or services, object, JSON pointer) of a JSON file: a document, a list of services,
    one object, or a page of the HSDS API; and what else the file held (dropped). None: not HSDS."""
    if isinstance(data, list):
        return [("services", obj, f"{name}#/{i}") for i, obj in enumerate(data)], []
    if not isinstance(data, dict):
        return None, []
    if isinstance(data.get("contents"), list):
        items = [(obj, f"{name}#/contents/{i}") for i, obj in enumerate(data["contents"])]
        page = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")
        return [(_kind(obj), obj, pointer) for obj, pointer in items], \
            [f"{name}: top-level {key}" for key in data if key not in ("contents", *page)]
    if "id" in data and not isinstance(data.get("organizations"), list):
        return [(_kind(data), data, f"{name}#")], []
    if not isinstance(data.get("services", []), list) or not isinstance(data.get("organizations", []), list):
        return None, []
    objects = [(key, obj, f"{name}#/{key}/{i}") for key in ("organizations", "services") for i, obj in enumerate(data.get(key) or [])]
    return objects, [f"{name}: top-level {key}" for key in data if key not in ("organizations", "services", "hsds_version")]


def _kind(obj: Any) -> str:
    # A service names its organization; an organization does not (it may list its services).
    is_service = isinstance(obj, dict) and ("organization_id" in obj or "organization" in obj) and "services" not in obj
    return "services" if is_service else "organizations"


def import_directory(uow: UnitOfWork, clock: Clock, path: Path, user_id: int | None = None, dry_run: bool = False,
                     progress: Progress | None = None, default_sector: str | None = None,
                     sector_terms: dict[str, str] | None = None) -> ImportReport:
    """Upsert the organizations and services of an HSDS file by id; nothing is written if any problem is found.
    Services without a sector attribute take the sector their taxonomy terms map to (`sector_terms`),
    else `default_sector` when given."""
    document, dropped, problems = read_document(path)
    report = ImportReport(source=path.name, dry_run=dry_run, problems=problems, dropped=dropped)
    if problems:
        return report
    organisations = _read_all(document.get("organizations", []), "organizations", read_organization, report)
    services = _read_all(document.get("services", []), "services", lambda o, w, p: read_service(o, w, p, report.dropped, default_sector, sector_terms), report)
    _check_duplicates(document, report)
    with uow:
        lock_for_writing(uow)
        existing_orgs = {o.slug: o for o in uow.session.scalars(select(Organisation))}
        for where, values in services:
            if values["organization_id"] not in existing_orgs and values["organization_id"] not in {v["slug"] for _, v in organisations}:
                report.problems.append(Problem(where, "organization_id", f"{values['organization_id']!r} is neither in the file nor in the directory"))
        if report.problems:
            return report
        existing = {s.hsds_id: s for s in uow.session.scalars(select(OrganisationService))}
        _plan(report, organisations, services, existing_orgs, existing)
        if dry_run:
            return report
        _apply(uow, clock, organisations, services, existing_orgs, existing, progress)
        uow.session.add(AuditEntry(at=clock.now(), user_id=user_id, action="directory_imported", object_type="directory",
                                   object_id=path.name[:100], details=_summary(report)))
        uow.commit()
    if len(services) >= ANALYZE_FROM and not uow.in_transaction:
        _refresh_statistics(uow)
    return report


def _refresh_statistics(uow: UnitOfWork) -> None:
    # A large import changes the directory's size by orders of magnitude. Until autovacuum catches up,
    # PostgreSQL would plan matching for nearly empty tables (a nested loop over every service of the
    # sector, 100 ms a need at 10,000 services); statistics taken now keep the referral form fast.
    with uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            uow.session.execute(text("ANALYZE organisations, organisation_services, service_areas"))
            uow.commit()


def _read_all(objects: list, key: str, reader, report: ImportReport) -> list[tuple[str, dict]]:
    read = []
    for i, obj in enumerate(objects):
        where = obj.get(WHERE, f"/{key}/{i}") if isinstance(obj, dict) else f"/{key}/{i}"
        values = reader(obj, where, report.problems)
        if values is not None:
            read.append((where, values))
    return read


def _check_duplicates(document: dict, report: ImportReport) -> None:
    for key in ("organizations", "services"):
        seen: dict[Any, str] = {}
        for obj in document.get(key, []):
            if not isinstance(obj, dict) or obj.get("id") in (None, ""):
                continue
            where = str(obj.get(WHERE, key))
            if obj["id"] in seen:
                report.problems.append(Problem(where, "id", f"duplicate id {obj['id']!r} (first at {seen[obj['id']]})"))
            else:
                seen[obj["id"]] = where


def _plan(report, organisations, services, existing_orgs, existing) -> None:
    for _, values in organisations:
        current = existing_orgs.get(values["slug"])
        if current is None:
            report.organisations_created.append(values["slug"])
            continue
        changed = [c for c in ORGANISATION_COLUMNS if c in values and not same_value(c, getattr(current, c), values[c])]
        if changed:
            report.organisations_updated[values["slug"]] = changed
    for _, values in services:
        current = existing.get(values["hsds_id"])
        if current is None:
            report.services_created.append(values["hsds_id"])
            continue
        changed = [c for c in SERVICE_COLUMNS if not same_value(c, getattr(current, c), values[c])]
        owner = existing_orgs.get(values["organization_id"])
        if owner is None or current.organisation_id != owner.id:
            changed.append("organization_id")
        if changed:
            report.services_updated[values["hsds_id"]] = changed
        else:
            report.services_unchanged += 1


def same_value(column: str, current, new) -> bool:
    """Whether a column holds the same value (an `extra` compared as `same_extra` does)."""
    return same_extra(current, new) if column == "extra" else current == new


def _apply(uow, clock, organisations, services, existing_orgs, existing, progress) -> None:
    now = clock.now()
    regions_of: dict[str, set] = {}
    for _, values in services:
        regions_of.setdefault(values["organization_id"], set()).update(values["regions"])
    for _, values in organisations:
        organisation = existing_orgs.get(values["slug"])
        if organisation is None:
            organisation = Organisation(slug=values["slug"], kind=OrganisationKind.OTHER, is_provider=True,
                                        regions=sorted(regions_of.get(values["slug"], ())), created_at=now)
            uow.session.add(organisation)
            existing_orgs[values["slug"]] = organisation
        for column in ORGANISATION_COLUMNS:
            if column in values:
                setattr(organisation, column, values[column])
    uow.session.flush()
    total = len(services)
    for done, (_, values) in enumerate(services, start=1):
        organisation = existing_orgs[values["organization_id"]]
        service = existing.get(values["hsds_id"])
        if service is None:
            service = OrganisationService(hsds_id=values["hsds_id"], organisation_id=organisation.id)
            uow.session.add(service)
            existing[values["hsds_id"]] = service
        service.organisation_id = organisation.id
        if service.capacity_available != values["capacity_available"]:
            service.capacity_updated_at = now
        for column in SERVICE_COLUMNS:
            setattr(service, column, values[column])
        service.updated_at = now
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)


def _summary(report: ImportReport) -> dict[str, Any]:
    return {
        "organisations_created": report.organisations_created,
        "organisations_updated": sorted(report.organisations_updated),
        "services_created": len(report.services_created),
        "services_updated": sorted(report.services_updated),
        "services_unchanged": report.services_unchanged,
        "dropped": report.dropped[:200],
    }


def export_document(uow: UnitOfWork) -> dict[str, Any]:
    """The whole directory as a nested HSDS 3.0 document: {hsds_version, organizations, services}."""
    with uow:
        organisations = uow.session.scalars(select(Organisation).order_by(Organisation.slug)).all()
        slugs = {o.id: o.slug for o in organisations}
        services = uow.session.scalars(select(OrganisationService).order_by(OrganisationService.hsds_id)).all()
        return {
            "hsds_version": HSDS_VERSION,
            "organizations": [organization_document(o) for o in organisations if o.is_provider or o.services],
            "services": [service_document(s, slugs[s.organisation_id]) for s in services],
        }


def export_files(uow: UnitOfWork, target: Path, form: str) -> list[Path]:
    """Write the directory to `target`: one JSON file (form "json") or a folder of CSV tables with
    datapackage.json (form "csv"); the paths written."""
    document = export_document(uow)
    if form == "json":
        target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    tables = unnest(document)
    written = []
    for name, text in csv_texts(tables).items():
        (target / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    (target / "datapackage.json").write_text(json.dumps(datapackage_descriptor(tables), indent=1), encoding="utf-8")
    return [*written, target / "datapackage.json"]
