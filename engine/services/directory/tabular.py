"""HSDS 3.0 tabular form: one CSV table per object (services.csv, service_areas.csv, ...) described by a
datapackage.json, folded into the nested form the importer reads, and unfolded for export.

Every row read keeps where it came from (`WHERE`: "services.csv line 4", or a JSON pointer for a data
package holding its rows inline), so that a problem names its file, row and field.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from engine.untrusted_values import from_spreadsheet_text, spreadsheet_text

WHERE = "@where"  # where a row was read; never exported
# Child tables of a service (named as HSDS 3.0 names their CSV files), and the key they take in the nested form.
SERVICE_CHILDREN = {
    "service_areas": "service_areas",
    "languages": "languages",
    "contacts": "contacts",
    "schedules": "schedules",
    "service_capacity": "capacities",
    "attributes": "attributes",
    "service_at_location": "service_at_locations",
}
# Tables only looked up through another's reference (units by unit_id...); a row nothing refers to is dropped.
LOOKUP_TABLES = {"units", "taxonomy_terms", "locations", "phones", "taxonomies"}
# Table names from HSDS 3.0 data package resource names (singular) and from our exports before the
# official file names were used.
TABLE_NAMES = {
    "organization": "organizations", "service": "services", "service_area": "service_areas", "language": "languages",
    "contact": "contacts", "phone": "phones", "schedule": "schedules", "attribute": "attributes",
    "taxonomy_term": "taxonomy_terms", "taxonomy": "taxonomies", "location": "locations", "address": "addresses",
    "program": "programs", "required_document": "required_documents", "cost_option": "cost_options",
    "organization_identifier": "organization_identifiers", "meta_table_description": "meta_table_descriptions",
    "unit": "units", "service_at_locations": "service_at_location",
}


def table_name(name: str) -> str:
    """The table a CSV file or data package resource holds ("service_area" and "service_areas.csv": service_areas)."""
    stem = Path(name).stem if name.endswith(".csv") else name
    return TABLE_NAMES.get(stem, stem)
EXPORT_ORDER = ("organizations", "services", *SERVICE_CHILDREN, "phones", "units", "taxonomy_terms", "taxonomies", "locations")


def read_tables_from_csv(files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Tables from CSV texts by file name ("services.csv" -> rows), empty cells as None."""
    tables = {}
    for name, text in files.items():
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        rows = []
        for line, row in enumerate(reader, start=2):
            rows.append({**{k: (from_spreadsheet_text(v) if v != "" else None) for k, v in row.items() if k is not None},
                         WHERE: f"{name} line {line}"})
        tables[table_name(Path(name).name)] = rows
    return tables


def read_tables_from_datapackage(package: dict, folder: Path | None) -> tuple[dict[str, list[dict]], list[str]]:
    """Tables of a Frictionless data package: rows inline (`data`) or CSV files beside it (`path`); and the
    problems met reading it."""
    tables: dict[str, list[dict]] = {}
    problems = []
    for i, resource in enumerate(package.get("resources") or []):
        if not isinstance(resource, dict):
            problems.append(f"/resources/{i}: a resource must be an object")
            continue
        name = table_name(Path(resource["path"]).name if isinstance(resource.get("path"), str)
                          else str(resource.get("name") or f"resource{i}"))
        if isinstance(resource.get("data"), list):
            rows = []
            for j, row in enumerate(resource["data"]):
                if isinstance(row, dict):
                    rows.append({**row, WHERE: f"/resources/{i}/data/{j}"})
                else:
                    problems.append(f"/resources/{i}/data/{j}: a row must be an object")
            tables[name] = rows
        elif isinstance(resource.get("path"), str) and folder is not None:
            path = (folder / resource["path"]).resolve()
            if folder.resolve() not in path.parents or not path.is_file():
                problems.append(f"/resources/{i}/path: {resource['path']} is not a file beside datapackage.json")
                continue
            tables.update(read_tables_from_csv({path.name: path.read_text(encoding="utf-8")}))
        else:
            problems.append(f"/resources/{i}: neither inline data nor a CSV path")
    return tables, problems


def nest(tables: dict[str, list[dict]]) -> tuple[dict[str, list[dict]], list[str]]:
    """The nested form {organizations, services} from tables; and the tables that had no place (dropped)."""
    by_id = {name: {row.get("id"): row for row in tables.get(name, [])} for name in LOOKUP_TABLES}
    services = [dict(row) for row in tables.get("services", [])]
    organizations = [dict(row) for row in tables.get("organizations", [])]
    service_ids = {row.get("id") for row in services}
    org_ids = {row.get("id") for row in organizations}
    for service in services:
        for table in SERVICE_CHILDREN.values():
            service.setdefault(table, [])
    for organization in organizations:
        organization.setdefault("attributes", [])
    services_by_id = {row.get("id"): row for row in services}
    orgs_by_id = {row.get("id"): row for row in organizations}
    dropped = []
    referred: set = set()
    for name, rows in tables.items():
        if name in ("services", "organizations") or name in LOOKUP_TABLES:
            continue
        key = SERVICE_CHILDREN.get(name, name)
        for row in rows:
            row = _resolved(name, dict(row), by_id, referred)
            if name == "attributes" and row.get("link_id") in org_ids and row.get("link_id") not in service_ids:
                orgs_by_id[row["link_id"]]["attributes"].append(row)
            elif name == "attributes":
                owner = services_by_id.get(row.get("link_id"))
                if owner is None:
                    dropped.append(f"{row[WHERE]}: attribute linked to {row.get('link_id')!r}, which is not in the file")
                else:
                    owner["attributes"].append(row)
            else:
                _attach(name, key, row, services_by_id, orgs_by_id, dropped)
    for name in sorted(set(tables) - {"services", "organizations"}):
        if name in LOOKUP_TABLES or name in SERVICE_CHILDREN:
            continue
        if not any("service_id" in row or "organization_id" in row for row in tables[name]):
            dropped.append(f"{name}: table not read (no service_id or organization_id column)")
    # Phones and locations are also the services' and organizations' own when a row names them.
    contact_ids = {row.get("id") for row in tables.get("contacts", [])}
    for name in ("phones", "locations"):
        for row in tables.get(name, []):
            linked = row.get("contact_id") in contact_ids or (name == "locations" and row.get("id") in referred)
            if row.get("service_id") in services_by_id or row.get("organization_id") in orgs_by_id:
                _attach(name, name, _clean(row) | {WHERE: row[WHERE]}, services_by_id, orgs_by_id, dropped)
                referred.add(row.get("id"))
            elif linked:
                referred.add(row.get("id"))
    for name in sorted(LOOKUP_TABLES):
        for row in tables.get(name, []):
            if row.get("id") not in referred:
                dropped.append(f"{row[WHERE]}: {name} row nothing in the file refers to")
    return {"organizations": organizations, "services": services}, dropped


def _attach(name: str, key: str, row: dict, services_by_id: dict, orgs_by_id: dict, dropped: list) -> None:
    # A row goes to every service and organization it names (HSDS rows may name both).
    owners = [services_by_id.get(row.get("service_id")), orgs_by_id.get(row.get("organization_id"))]
    if not any(owners):
        dropped.append(f"{row[WHERE]}: {name} row belongs to no service or organization of the file")
    for owner in owners:
        if owner is not None:
            owner.setdefault(key, []).append(row)


def _resolved(name: str, row: dict, by_id: dict, referred: set) -> dict:
    if name == "service_capacity" and row.get("unit_id") in by_id["units"]:
        row["unit"] = _clean(by_id["units"][row["unit_id"]])
        referred.add(row["unit_id"])
    if name == "attributes" and row.get("taxonomy_term_id") in by_id["taxonomy_terms"]:
        term = _clean(by_id["taxonomy_terms"][row["taxonomy_term_id"]])
        referred.add(row["taxonomy_term_id"])
        if term.get("taxonomy_id") in by_id["taxonomies"]:
            # The HSDS 3.0 API nests the term's taxonomy as taxonomy_detail.
            term["taxonomy_detail"] = _clean(by_id["taxonomies"][term["taxonomy_id"]])
            referred.add(term["taxonomy_id"])
        row["taxonomy_term"] = term
    if name == "service_at_location" and row.get("location_id") in by_id["locations"]:
        row["location"] = _clean(by_id["locations"][row["location_id"]])
        referred.add(row["location_id"])
    if name == "contacts":
        row["phones"] = [_clean(p) for p in by_id["phones"].values() if p.get("contact_id") == row.get("id")]
    return row


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != WHERE}


def unnest(document: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Tables from the nested form: nested objects become rows of their own table, linked by id. An
    object several owners nest (the same phone under a service and its contact) is one row carrying
    each link, as HSDS tables have it."""
    tables: dict[str, dict[Any, dict]] = {name: {} for name in EXPORT_ORDER}
    children = {nested: table for table, nested in SERVICE_CHILDREN.items()}
    for key, link in (("organizations", "organization_id"), ("services", "service_id")):
        for owner in document.get(key, []):
            row = {}
            for field, value in owner.items():
                if isinstance(value, list):
                    table = children.get(field, field) if key == "services" else field
                    for child in value:
                        if isinstance(child, dict):
                            _child_rows(table, child if table == "attributes" else {**child, link: owner["id"]}, tables, owner["id"])
                elif isinstance(value, dict):
                    row[field] = json.dumps(value, ensure_ascii=False)
                else:
                    row[field] = value
            tables[key][owner["id"]] = row
    return {name: list(rows.values()) for name, rows in tables.items() if rows}


def _child_rows(table: str, child: dict, tables: dict, owner_id: Any) -> None:
    if table == "attributes":
        _attribute_rows(child, tables, owner_id)
        return
    row = dict(child)
    if table == "service_capacity" and isinstance(row.get("unit"), dict):
        unit = row.pop("unit")
        _put(tables, "units", unit)
        row["unit_id"] = unit.get("id")
    if table == "service_at_location" and isinstance(row.get("location"), dict):
        location = row.pop("location")
        _put(tables, "locations", _flat(location))
        row["location_id"] = location.get("id")
    if table == "contacts":
        for phone in row.pop("phones", None) or []:
            if isinstance(phone, dict):
                _put(tables, "phones", _flat({**phone, "contact_id": row.get("id")}))
    _put(tables, table, _flat(row))


def _flat(row: dict) -> dict:
    # A cell holds text: what nests deeper than a table row is kept as JSON.
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}


def _put(tables: dict, table: str, row: dict) -> None:
    rows = tables.setdefault(table, {})
    key = row.get("id") or f"#{len(rows)}"
    if key in rows:
        rows[key].update({k: v for k, v in row.items() if v not in (None, "")})
    else:
        rows[key] = row


def _attribute_rows(attribute: dict, tables: dict, owner_id: Any) -> None:
    # An attribute nested in an object belongs to it even when it does not say so (link_id).
    row = {**dict(attribute), "link_id": attribute.get("link_id") or owner_id}
    term = row.pop("taxonomy_term", None)
    if isinstance(term, dict):
        term = dict(term)
        taxonomy = term.pop("taxonomy_detail", None)
        if isinstance(taxonomy, dict):
            _put(tables, "taxonomies", taxonomy)
            term.setdefault("taxonomy_id", taxonomy.get("id"))
        _put(tables, "taxonomy_terms", _flat(term))
        row["taxonomy_term_id"] = term.get("id")
    _put(tables, "attributes", _flat(row))


def csv_texts(tables: dict[str, list[dict]]) -> dict[str, str]:
    """Each table as CSV text (columns: every key its rows use, `id` first)."""
    texts = {}
    for name, rows in tables.items():
        columns = []
        for row in rows:
            columns += [k for k in row if k not in columns and k != WHERE]
        order = {c: i for i, c in enumerate(columns)}
        columns = sorted(columns, key=lambda c: (c != "id", order[c]))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            # Names and descriptions come from other directories and people: a spreadsheet must not run them.
            writer.writerow({k: ("" if v is None else spreadsheet_text(v)) for k, v in row.items()})
        texts[f"{name}.csv"] = out.getvalue()
    return texts


def datapackage_descriptor(tables: dict[str, list[dict]]) -> dict[str, Any]:
    """The datapackage.json that lists the CSV tables."""
    return {
        "name": "aiguillage-directory",
        "title": "Service directory (HSDS 3.0)",
        "profile": "tabular-data-package",
        "resources": [{"name": name, "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv"} for name in tables],
    }
