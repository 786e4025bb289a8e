"""The service edit form: its fields to an HSDS 3.0 service object and back (one reader, the engine's)."""

from __future__ import annotations

from typing import Any

from engine.domain import Priority
from engine.services.directory.reading import read_service
from engine.services.directory.vocabulary import (
    PRIORITY_TAXONOMY,
    SECTOR_TAXONOMY,
    SEX_TAXONOMY,
    TARGET_GROUP_TAXONOMY,
)

TEXTS = ("name", "description", "fees_description", "eligibility_description", "url", "email", "minimum_age", "maximum_age",
         "assured_date")
# Where the reader's problems (named after HSDS fields) are shown on the form.
FIELD_OF_PROBLEM = {"attributes": "sector", "service_areas": "regions", "organization_id": "organisation",
                    "capacities": "capacity", "contacts": "contact_name", "schedules": "opening_hours"}


def document_from_form(form, current: dict[str, Any] | None) -> dict[str, Any]:
    """The HSDS service object a submitted form describes; fields the form does not show are kept from `current`."""
    document = {k: v for k, v in (current or {}).items()}
    sid = document.get("id") or "new"
    for key in TEXTS:
        document[key] = (form.get(key) or "").strip() or None
    document["organization_id"] = form.get("organisation") or None
    document["status"] = "active" if form.get("active") else "inactive"
    document["service_areas"] = [{"name": region} for region in form.getlist("regions")]
    document["languages"] = [{"name": language} for language in form.getlist("languages")]
    sites = [s.strip() for s in (form.get("sites") or "").split(";") if s.strip()]
    document["service_at_locations"] = [{"location": {"name": site}} for site in sites]
    capacity, free = form.get("capacity") or None, form.get("capacity_available") or None
    document["capacities"] = [] if capacity is None and free is None else [{
        "maximum": capacity, "available": free, "unit": {"identifier": form.get("capacity_period") or "month"}}]
    contact = {key: (form.get(f"contact_{key}") or "").strip() or None for key in ("name", "title", "email")}
    phone = (form.get("contact_phone") or "").strip()
    document["contacts"] = [{**contact, "phones": [{"number": phone}] if phone else []}] if any(contact.values()) or phone else []
    hours = (form.get("opening_hours") or "").strip()
    document["schedules"] = [{"description": hours}] if hours else []
    attributes = [_term(sid, SECTOR_TAXONOMY, form.get("sector") or "")] if form.get("sector") else []
    attributes += [_term(sid, TARGET_GROUP_TAXONOMY, g) for g in form.getlist("target_groups")]
    attributes += [_term(sid, SEX_TAXONOMY, s) for s in form.getlist("sexes")]
    attributes += [_term(sid, PRIORITY_TAXONOMY, p, form.get(f"hours_{p}") or None) for p in form.getlist("priorities")]
    document["attributes"] = attributes
    return document


def _term(sid: str, taxonomy: str, code: str, value: str | None = None) -> dict[str, Any]:
    return {"link_id": sid, "value": value, "taxonomy_term": {"id": f"{taxonomy}:{code}", "code": code, "taxonomy": taxonomy}}


def form_values(document: dict[str, Any]) -> dict[str, Any]:
    """What the edit form shows for a stored service."""
    values = read_service(document, "service", [], []) or {}
    return {
        **{key: "" if values.get(key) is None else str(values[key]) for key in TEXTS},
        "organisation": values.get("organization_id"),
        "sector": values["sector"].value if values.get("sector") else "",
        "active": values.get("active", True),
        "regions": values.get("regions", []), "languages": values.get("languages", []),
        "target_groups": values.get("target_groups", []), "sexes": values.get("eligible_sexes", []),
        "priorities": values.get("accepted_priorities", [p.value for p in Priority]),
        **{f"hours_{p}": str(h) for p, h in (values.get("response_hours") or {}).items()},
        "sites": "; ".join(values.get("sites", [])),
        "capacity": "" if values.get("capacity") is None else str(values["capacity"]),
        "capacity_available": "" if values.get("capacity_available") is None else str(values["capacity_available"]),
        "capacity_period": values.get("capacity_period", "month"),
        "opening_hours": values.get("opening_hours") or "",
        **{f"contact_{k}": values.get(f"contact_{k}") or "" for k in ("name", "title", "email", "phone")},
    }


def new_form_values() -> dict[str, Any]:
    """An empty service: active, taking every priority."""
    return {"active": True, "priorities": [p.value for p in Priority], "capacity_period": "month",
            "regions": [], "languages": [], "target_groups": [], "sexes": []}
