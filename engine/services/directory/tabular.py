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

WHERE = "@where"  # where a row was read; never exported
# Child tables of a service, and the key they take in the nested form.
SERVICE_CHILDREN = {
    "service_areas": "service_areas",
    "languages": "languages",
    "contacts": "contacts",
    "schedules": "schedules",
    "service_capacity": "capacities",
    "attributes": "attributes",
    "service_at_locations": "service_at_locations",
}
# Tables only looked up through another's reference (units by unit_id...).
LOOKUP_TABLES = {"units", "taxonomy_terms", "locations", "phones"}
EXPORT_ORDER = ("organizations", "services", *SERVICE_CHILDREN, "phones", "units", "taxonomy_terms", "locations")


def read_tables_from_csv(files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Tables from CSV texts by file name ("services.csv" -> rows), empty cells as None."""
    tables = {}
    for name, text in files.items():
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        rows = []
        for line, row in enumerate(reader, start=2):
            rows.append({**{k: (v if v != "" else None) for k, v in row.items() if k is not None}, WHERE: f"{name} line {line}"})
        tables[Path(name).stem] = rows
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
        name = resource.get("name") or Path(str(resource.get("path") or f"resource{i}")).stem
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
            tables.update({name: rows for rows in read_tables_from_csv({path.name: path.read_text(encoding="utf-8")}).values()})
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
    for name, rows in tables.items():
        if name in ("services", "organizations") or name in LOOKUP_TABLES:
            continue
        key = SERVICE_CHILDREN.get(name, name)
        for row in rows:
            row = _resolved(name, dict(row), by_id)
            if name == "attributes" and row.get("link_id") in org_ids and row.get("link_id") not in service_ids:
                orgs_by_id[row["link_id"]]["attributes"].append(row)
            elif name == "attributes":
                owner = services_by_id.get(row.get("link_id"))
                if owner is None:
                    dropped.append(f"{row[WHERE]}: attribute linked to {row.get('link_id')!r}, which is not in the file")
                else:
                    owner["attributes"].append(row)
            elif row.get("service_id") in services_by_id:
                services_by_id[row["service_id"]].setdefault(key, []).append(row)
            elif row.get("organization_id") in orgs_by_id and "service_id" not in row:
                orgs_by_id[row["organization_id"]].setdefault(key, []).append(row)
            else:
                dropped.append(f"{row[WHERE]}: {name} row belongs to no service or organization of the file")
    for name in sorted(set(tables) - {"services", "organizations"}):
        if name in LOOKUP_TABLES or name in SERVICE_CHILDREN:
            continue
        if not any("service_id" in row or "organization_id" in row for row in tables[name]):
            dropped.append(f"{name}: table not read (no service_id or organization_id column)")
    return {"organizations": organizations, "services": services}, dropped


def _resolved(name: str, row: dict, by_id: dict) -> dict:
    if name == "service_capacity" and row.get("unit_id") in by_id["units"]:
        row["unit"] = _clean(by_id["units"][row["unit_id"]])
    if name == "attributes" and row.get("taxonomy_term_id") in by_id["taxonomy_terms"]:
        row["taxonomy_term"] = _clean(by_id["taxonomy_terms"][row["taxonomy_term_id"]])
    if name == "service_at_locations" and row.get("location_id") in by_id["locations"]:
        row["location"] = _clean(by_id["locations"][row["location_id"]])
    if name == "contacts":
        row["phones"] = [_clean(p) for p in by_id["phones"].values() if p.get("contact_id") == row.get("id")]
    return row


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != WHERE}


def unnest(document: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Tables from the nested form: nested objects become rows of their own table, linked by id."""
    tables: dict[str, dict[Any, dict]] = {name: {} for name in EXPORT_ORDER}
    for organization in document.get("organizations", []):
        row = {}
        for key, value in organization.items():
            if key == "attributes":
                for attribute in value or []:
                    _attribute_rows(attribute, tables)
            elif isinstance(value, list):
                for child in value:
                    if isinstance(child, dict):
                        tables.setdefault(key, {})[child.get("id") or len(tables.get(key, {}))] = {**child, "organization_id": organization["id"]}
            else:
                row[key] = value
        tables["organizations"][organization["id"]] = row
    children = {nested: table for table, nested in SERVICE_CHILDREN.items()}
    for service in document.get("services", []):
        row = {}
        for key, value in service.items():
            if isinstance(value, list):
                table = children.get(key, key)
                for child in value:
                    if isinstance(child, dict):
                        _child_rows(table, {**child, "service_id": service["id"]} if table != "attributes" else child, tables)
            elif isinstance(value, dict):
                row[key] = json.dumps(value, ensure_ascii=False)
            else:
                row[key] = value
        tables["services"][service["id"]] = row
    return {name: list(rows.values()) for name, rows in tables.items() if rows}


def _child_rows(table: str, child: dict, tables: dict) -> None:
    if table == "attributes":
        _attribute_rows(child, tables)
        return
    row = dict(child)
    if table == "service_capacity" and isinstance(row.get("unit"), dict):
        unit = row.pop("unit")
        tables["units"][unit.get("id")] = unit
        row["unit_id"] = unit.get("id")
    if table == "service_at_locations" and isinstance(row.get("location"), dict):
        location = row.pop("location")
        tables["locations"][location.get("id")] = location
        row["location_id"] = location.get("id")
    if table == "contacts":
        for phone in row.pop("phones", None) or []:
            tables["phones"][phone.get("id")] = {**phone, "contact_id": row.get("id")}
    for key, value in list(row.items()):
        if isinstance(value, (list, dict)):
            row[key] = json.dumps(value, ensure_ascii=False)
    tables.setdefault(table, {})[row.get("id") or len(tables.get(table, {}))] = row


def _attribute_rows(attribute: dict, tables: dict) -> None:
    row = dict(attribute)
    term = row.pop("taxonomy_term", None)
    if isinstance(term, dict):
        tables["taxonomy_terms"][term.get("id")] = term
        row["taxonomy_term_id"] = term.get("id")
    tables["attributes"][row.get("id")] = row


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
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
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
