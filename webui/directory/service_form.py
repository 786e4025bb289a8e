"""The service edit form: its fields to an HSDS 3.0 service object and back (one reader, the engine's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from engine.domain import Priority
from engine.services.directory.reading import read_service
from engine.services.directory.vocabulary import (
    PRIORITY_TAXONOMY,
    SECTOR_TAXONOMY,
    SEX_TAXONOMY,
    TARGET_GROUP_TAXONOMY,
)
from webui.labels import PRIORITY_NAMES

TEXTS = ("name", "description", "fees_description", "eligibility_description", "url", "email", "minimum_age", "maximum_age",
         "assured_date")
# Where the engine's problems (named after the directory's columns) are shown on the form; the
# hours of a priority, `response_hours.<priority>`, beside `hours_<priority>`.
FIELD_OF_PROBLEM = {"organization_id": "organisation", "attributes": "sector"}
MULTIPLE = ("regions", "languages", "target_groups", "sexes", "priorities")


@dataclass(frozen=True)
class FormInput:
    """One field of the form as the error summary names it: the link `#field-<name>` and its label."""

    name: str
    label: str


def form_inputs() -> list[FormInput]:
    """The form's fields in the order shown, labelled in the reader's language."""
    labels = [("organisation", _("Organisation")), ("name", _("Name of the service")), ("sector", _("Sector")),
              ("description", _("Description")), ("regions", _("Regions served")), ("sites", _("Sites (separated by ;)")),
              ("languages", _("Languages spoken")), ("priorities", _("Priorities taken"))]
    labels += [(f"hours_{p.value}", _("Answers %(priority)s referrals within (hours)", priority=PRIORITY_NAMES[p.value]))
               for p in Priority]
    labels += [("target_groups", _("Reserved for (leave empty: open to everyone)")), ("sexes", _("Only for (leave empty: everyone)")),
               ("minimum_age", _("Minimum age")), ("maximum_age", _("Maximum age")), ("capacity", _("Capacity (places)")),
               ("capacity_period", _("Capacity period")), ("capacity_available", _("Places free now")),
               ("opening_hours", _("Opening hours")), ("fees_description", _("Cost")), ("contact_name", _("Focal point")),
               ("contact_title", _("Focal point title")), ("contact_phone", _("Focal point phone")),
               ("contact_email", _("Focal point email")), ("assured_date", _("Last verified with the provider"))]
    return [FormInput(name, str(label)) for name, label in labels]


def form_problems(problems: dict) -> dict[str, list]:
    """The engine's problems (`InvalidData.errors`) by the form field each is shown beside."""
    by_field: dict[str, list] = {}
    for column, found in problems.items():
        field = f"hours_{column.partition('.')[2]}" if column.startswith("response_hours.") else FIELD_OF_PROBLEM.get(column, column)
        by_field.setdefault(field, []).extend(found if isinstance(found, (list, tuple)) else [found])
    return by_field


def submitted_values(form) -> dict[str, Any]:
    """What was typed, to show again on a refused form (every tick of a list of checkboxes)."""
    return {k: (form.getlist(k) if k in MULTIPLE else v) for k, v in form.items() if k != "csrf_token"}


def document_from_form(form, current: dict[str, Any] | None) -> dict[str, Any]:
    """The HSDS service object a submitted form describes; fields the form does not show are kept from `current`."""
    document = {k: v for k, v in (current or {}).items()}
    sid = document.get("id") or "new"
    for key in TEXTS:
        if key in form:  # the service's own address, email, eligibility: not on the form, so kept as they are
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
