"""Reading HSDS 3.0 objects into the directory's columns, with every problem located (where, field).

One reader for every way in: files (JSON, data package, CSV tables), the API and the edit pages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.domain import Priority, Sector
from engine.services.directory.hsds import ORGANIZATION_FIELDS, SERVICE_FIELDS, attribute_codes
from engine.services.directory.tabular import WHERE
from engine.services.directory.vocabulary import (
    AGREEMENT_TAXONOMY,
    CAPACITY_PERIODS,
    PRIORITY_TAXONOMY,
    PROVIDER_TAXONOMY,
    SECTOR_TAXONOMY,
    SEX_TAXONOMY,
    SEXES,
    TARGET_GROUP_TAXONOMY,
    TARGET_GROUPS,
    language_id,
    region_id,
)

STATUSES = {"active": True, "inactive": False, "defunct": False, "temporarily closed": False}
TEXT_LIMITS = {"name": 200, "url": 500, "email": 320, "fees_description": 500, "contact_name": 200, "contact_title": 200,
               "contact_email": 320, "contact_phone": 40, "opening_hours": 500}
# Keys inside the nested objects we read; anything else there is reported as dropped.
CHILD_FIELDS = {
    "service_areas": {"id", "service_id", "name", "service_at_location_id"},
    "languages": {"id", "service_id", "name", "code", "location_id", "phone_id"},
    "capacities": {"id", "service_id", "unit_id", "unit", "maximum", "available", "updated"},
    "contacts": {"id", "service_id", "organization_id", "name", "title", "email", "phones"},
    "schedules": {"id", "service_id", "description"},
    "service_at_locations": {"id", "service_id", "location_id", "location"},
}
OUR_TAXONOMIES = {SECTOR_TAXONOMY, TARGET_GROUP_TAXONOMY, PRIORITY_TAXONOMY, SEX_TAXONOMY, AGREEMENT_TAXONOMY, PROVIDER_TAXONOMY}


@dataclass(frozen=True)
class Problem:
    """Something wrong in what was read: where (file and row, or JSON pointer), which field, what."""

    where: str
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}{f', field {self.field}' if self.field else ''}: {self.message}"


def where_of(obj: dict, default: str) -> str:
    return str(obj.get(WHERE) or default)


def read_organization(obj: Any, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    """An HSDS organization as organisation columns (`slug` from its id), or None with problems added."""
    if not isinstance(obj, dict):
        problems.append(Problem(where, None, "an organization must be an object"))
        return None
    where = where_of(obj, where)
    before = len(problems)
    slug = _text(obj, "id", where, problems, required=True, limit=64)
    name = _text(obj, "name", where, problems, required=True, limit=200)
    roles = {code for code, _ in attribute_codes(obj.get("attributes"), PROVIDER_TAXONOMY)}
    agreements = {code for code, _ in attribute_codes(obj.get("attributes"), AGREEMENT_TAXONOMY)}
    values: dict[str, Any] = {
        "slug": slug, "name": name,
        "description": _text(obj, "description", where, problems),
        "email": _text(obj, "email", where, problems, limit=320),
        "website": _text(obj, "website", where, problems, limit=500),
        "extra": _extra(obj, ORGANIZATION_FIELDS),
    }
    if roles:
        values["is_provider"] = "provider" in roles
    if agreements:
        values["mou_signed"] = "mou" in agreements
        values["data_sharing_signed"] = "data_sharing" in agreements
    return values if len(problems) == before else None


def read_service(obj: Any, where: str, problems: list[Problem], dropped: list[str],
                 default_sector: str | None = None, sector_terms: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """An HSDS service as service columns (plus `organization_id`), or None with problems added. A
    service without an aiguillage:sector attribute takes the sector its other taxonomy terms map to
    (`sector_terms`: a term's id, code, "taxonomy:code" or name -> sector), else `default_sector` when
    one is given (a partner's file of, say, health facilities only)."""
    if not isinstance(obj, dict):
        problems.append(Problem(where, None, "a service must be an object"))
        return None
    where = where_of(obj, where)
    before = len(problems)
    values: dict[str, Any] = {
        "hsds_id": _text(obj, "id", where, problems, required=True, limit=100),
        "organization_id": _organization_id(obj, where, problems),
        "name": _text(obj, "name", where, problems, required=True, limit=200),
    }
    for key in ("description", "url", "email", "fees_description", "eligibility_description"):
        values[key] = _text(obj, key, where, problems, limit=TEXT_LIMITS.get(key))
    status = obj.get("status")
    if status is not None and status not in STATUSES:
        problems.append(Problem(where, "status", f"{status!r} is not an HSDS status ({', '.join(STATUSES)})"))
    values["active"] = STATUSES.get(status, True) if status is not None else True
    values["minimum_age"] = _whole(obj, "minimum_age", where, problems)
    values["maximum_age"] = _whole(obj, "maximum_age", where, problems)
    if values["minimum_age"] is not None and values["maximum_age"] is not None and values["minimum_age"] > values["maximum_age"]:
        problems.append(Problem(where, "maximum_age", "is below minimum_age"))
    values["assured_date"] = _date(obj, "assured_date", where, problems)
    attributes = _list(obj, "attributes", where, problems)
    values.update(_profile(attributes, where, problems, default_sector, sector_terms))
    values["regions"] = _names(_list(obj, "service_areas", where, problems), "service_areas", where, problems, region_id)
    values["languages"] = _languages(_list(obj, "languages", where, problems), where, problems)
    values["sites"] = _sites(_list(obj, "service_at_locations", where, problems), where, problems)
    values.update(_capacity(_list(obj, "capacities", where, problems), where, problems))
    values.update(_contact(_list(obj, "contacts", where, problems), where, problems))
    schedules = _list(obj, "schedules", where, problems)
    values["opening_hours"] = _text(schedules[0], "description", f"{where}/schedules/0", problems, limit=500) \
        if schedules and isinstance(schedules[0], dict) else None
    values["extra"] = _extra(obj, SERVICE_FIELDS)
    _report_dropped(obj, where, dropped)
    return values if len(problems) == before else None


def _extra(obj: dict, known: set[str]) -> dict[str, Any]:
    # Empty values are not kept: a CSV table gives every row every column. Attributes of other
    # taxonomies than ours are kept too, and exported beside ours.
    extra = {k: _without_where(v) for k, v in obj.items() if k not in known and k != WHERE and v not in (None, "", [], {})}
    foreign = [_clean(a) for a in obj.get("attributes") or [] if isinstance(a, dict) and _taxonomy(a) not in OUR_TAXONOMIES]
    if foreign:
        extra["attributes"] = foreign
    return extra


def _taxonomy(attribute: dict) -> str | None:
    term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
    if term.get("taxonomy") or attribute.get("link_type"):
        return term.get("taxonomy") or attribute.get("link_type")
    term_id = attribute.get("taxonomy_term_id")
    return term_id.rpartition(":")[0] if isinstance(term_id, str) else None


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != WHERE}


def _without_where(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_where(v) for k, v in value.items() if k != WHERE}
    if isinstance(value, list):
        return [_without_where(v) for v in value]
    return value


# The links a table row adds to what the nested form says by nesting; not a change.
LINKS = {"service_id", "organization_id", "contact_id", "link_id", "taxonomy_term_id", "taxonomy_id", WHERE}


def same_extra(a: dict | None, b: dict | None) -> bool:
    """Whether two `extra`s hold the same values once through a CSV table: text "2009" is 2009, a JSON
    cell is its object, and the links a table adds (service_id, organization_id...) are not a change."""
    return _plain(a or {}) == _plain(b or {})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()
                if v not in (None, "", [], {}) and k not in LINKS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return _plain(json.loads(value))
        except ValueError:
            return value
    return str(value)


def _organization_id(obj: dict, where: str, problems: list[Problem]) -> str | None:
    org = obj.get("organization")
    value = obj.get("organization_id") or (org.get("id") if isinstance(org, dict) else None)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(where, "organization_id", "required: the id of the organization offering the service"))
        return None
    return value.strip()


def _profile(attributes: list, where: str, problems: list[Problem], default_sector: str | None = None,
             sector_terms: Mapping[str, str] | None = None) -> dict[str, Any]:
    sectors = ([code for code, _ in attribute_codes(attributes, SECTOR_TAXONOMY)] or _mapped_sectors(attributes, sector_terms or {})
               or ([default_sector] if default_sector else []))
    sector = None
    if not sectors:
        problems.append(Problem(where, "attributes", f"no sector: add an attribute with a {SECTOR_TAXONOMY} taxonomy term "
                                                     f"({', '.join(s.value for s in Sector)}), map one of the service's "
                                                     "taxonomy terms to a sector, or give the file a default sector"))
    elif len(set(sectors)) > 1:
        problems.append(Problem(where, "attributes", f"more than one sector ({', '.join(sectors)}): one service, one sector"))
    elif sectors[0] not in Sector.__members__.values():
        problems.append(Problem(where, "attributes", f"unknown sector {sectors[0]!r} (one of {', '.join(s.value for s in Sector)})"))
    else:
        sector = Sector(sectors[0])
    groups = _codes(attributes, TARGET_GROUP_TAXONOMY, TARGET_GROUPS, "target group", where, problems)
    sexes = _codes(attributes, SEX_TAXONOMY, SEXES, "sex", where, problems)
    priorities, hours = [], {}
    for code, value in attribute_codes(attributes, PRIORITY_TAXONOMY):
        if code not in Priority.__members__.values():
            problems.append(Problem(where, "attributes", f"unknown priority {code!r} (one of {', '.join(p.value for p in Priority)})"))
            continue
        if code not in priorities:
            priorities.append(code)
        if value not in (None, ""):
            try:
                hours[code] = int(str(value))
            except ValueError:
                problems.append(Problem(where, "attributes", f"response commitment for {code} must be whole hours, not {value!r}"))
    return {
        "sector": sector, "target_groups": groups, "eligible_sexes": sexes,
        # A file that says nothing of priorities takes every priority.
        "accepted_priorities": priorities or [p.value for p in Priority], "response_hours": hours,
    }


def _mapped_sectors(attributes: list, sector_terms: Mapping[str, str]) -> list[str]:
    """The sectors a service's taxonomy terms map to (each term known by id, code, "taxonomy:code" or name)."""
    if not sector_terms:
        return []
    found = []
    for attribute in attributes or []:
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict) else {}
        keys = (attribute.get("taxonomy_term_id") if isinstance(attribute, dict) else None, term.get("id"), term.get("code"),
                f"{term.get('taxonomy')}:{term.get('code')}", term.get("name"))
        sector = next((sector_terms[str(k)] for k in keys if k is not None and str(k) in sector_terms), None)
        if sector is not None and sector not in found:
            found.append(sector)
    return found


def _codes(attributes: list, taxonomy: str, known, what: str, where: str, problems: list[Problem]) -> list[str]:
    codes = []
    for code, _ in attribute_codes(attributes, taxonomy):
        if code not in known:
            problems.append(Problem(where, "attributes", f"unknown {what} {code!r} (one of {', '.join(known)})"))
        elif code not in codes:
            codes.append(code)
    return codes


def _names(items: list, key: str, where: str, problems: list[Problem], normal) -> list[str]:
    names = []
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not normal(name):
            problems.append(Problem(where_of(item, f"{where}/{key}/{i}") if isinstance(item, dict) else f"{where}/{key}/{i}",
                                    "name", "required"))
        elif normal(name) not in names:
            names.append(normal(name))
    return names


def _languages(items: list, where: str, problems: list[Problem]) -> list[str]:
    languages = []
    for i, item in enumerate(items):
        text = (item.get("name") or item.get("code")) if isinstance(item, dict) else None
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str) and code.strip():
            text = code
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(f"{where}/languages/{i}", "code", "required: an ISO 639 code or a name"))
        elif language_id(text) not in languages:
            languages.append(language_id(text))
    return languages


def _sites(items: list, where: str, problems: list[Problem]) -> list[str]:
    sites = []
    for item in items:
        location = item.get("location") if isinstance(item, dict) else None
        name = location.get("name") if isinstance(location, dict) else None
        if isinstance(name, str) and name.strip() and name.strip() not in sites:
            sites.append(name.strip()[:200])
    return sites


def _capacity(items: list, where: str, problems: list[Problem]) -> dict[str, Any]:
    if not items or not isinstance(items[0], dict):
        return {"capacity": None, "capacity_available": None, "capacity_period": "month"}
    first = items[0]
    here = where_of(first, f"{where}/capacities/0")
    unit = first.get("unit") if isinstance(first.get("unit"), dict) else {}
    period = unit.get("identifier") if unit.get("identifier") in CAPACITY_PERIODS else "month"
    return {
        "capacity": _whole(first, "maximum", here, problems),
        "capacity_available": _whole(first, "available", here, problems),
        "capacity_period": period,
    }


def _contact(items: list, where: str, problems: list[Problem]) -> dict[str, Any]:
    first = items[0] if items and isinstance(items[0], dict) else {}
    here = where_of(first, f"{where}/contacts/0")
    phones = first.get("phones") if isinstance(first.get("phones"), list) else []
    phone = phones[0].get("number") if phones and isinstance(phones[0], dict) else None
    return {
        "contact_name": _text(first, "name", here, problems, limit=200),
        "contact_title": _text(first, "title", here, problems, limit=200),
        "contact_email": _text(first, "email", here, problems, limit=320),
        "contact_phone": str(phone).strip()[:40] if phone not in (None, "") else None,
    }


def _report_dropped(obj: dict, where: str, dropped: list[str]) -> None:
    for key, known in CHILD_FIELDS.items():
        for i, item in enumerate(obj.get(key) or []):
            if isinstance(item, dict):
                for extra in sorted(set(item) - known - {WHERE}):
                    if item[extra] not in (None, "", []):
                        dropped.append(f"{where_of(item, f'{where}/{key}/{i}')}: {key}.{extra}")
            location = item.get("location") if isinstance(item, dict) and key == "service_at_locations" else None
            if isinstance(location, dict):
                for extra in sorted(set(location) - {"id", "name", "location_type", WHERE}):
                    if location[extra] not in (None, "", []):
                        dropped.append(f"{where_of(item, f'{where}/{key}/{i}')}: location.{extra}")
        if key in ("contacts", "capacities", "schedules") and len(obj.get(key) or []) > 1:
            dropped.append(f"{where}: {key} after the first")


def _list(obj: dict, key: str, where: str, problems: list[Problem]) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    problems.append(Problem(where, key, "must be a list"))
    return []


def _text(obj: dict, key: str, where: str, problems: list[Problem], required: bool = False, limit: int | None = None) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(where, key, "required"))
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(Problem(where, key, "must be text"))
        return None
    value = value.strip()
    if limit is not None and len(value) > limit:
        problems.append(Problem(where, key, f"longer than {limit} characters"))
        return None
    return value


def _whole(obj: dict, key: str, where: str, problems: list[Problem]) -> int | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    try:
        number = int(value) if not isinstance(value, (bool, float)) else None
    except (TypeError, ValueError):
        number = None
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is None or number < 0:
        problems.append(Problem(where, key, f"must be a whole number from 0, not {value!r}"))
        return None
    return number


def _date(obj: dict, key: str, where: str, problems: list[Problem]) -> date | None:
    value = obj.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        problems.append(Problem(where, key, f"must be a date (YYYY-MM-DD), not {value!r}"))
        return None
