"""HSDS 3.0 mapping: the directory's rows as Open Referral organizations and services, and back.

The mechanism's profile travels as HSDS `attribute`s with taxonomy terms from our own taxonomies
(`aiguillage:sector`, `aiguillage:target_group`, `aiguillage:priority` whose value is the response
commitment in hours, `aiguillage:sex`, and on organizations `aiguillage:agreement` and `aiguillage:role`);
capacity as `service_capacity` with a `unit` per period; regions as `service_area` names; sites as
`service_at_location` locations; the focal point as the service's first `contact`; opening hours as
the first `schedule`'s description. Top-level fields we have no column for are kept in `extra` and
written back as they came.
"""

from __future__ import annotations

from typing import Any

from engine.services.directory.vocabulary import (
    AGREEMENT_TAXONOMY,
    LANGUAGE_CODES,
    PRIORITY_TAXONOMY,
    PROVIDER_TAXONOMY,
    SECTOR_TAXONOMY,
    SEX_TAXONOMY,
    TARGET_GROUP_TAXONOMY,
)
from engine.store.models import Organisation, OrganisationService

HSDS_VERSION = "3.0"
# Service fields held in columns or rebuilt from them; anything else is `extra`.
SERVICE_FIELDS = {
    "id", "organization_id", "organization", "name", "description", "url", "email", "status", "fees_description",
    "eligibility_description", "minimum_age", "maximum_age", "assured_date", "languages", "service_areas",
    "capacities", "attributes", "contacts", "schedules", "service_at_locations", "last_modified",
}
ORGANIZATION_FIELDS = {"id", "name", "description", "email", "website", "attributes", "services"}


def organization_document(organisation: Organisation) -> dict[str, Any]:
    """An organisation as an HSDS 3.0 organization."""
    attributes = []
    if organisation.is_provider:
        attributes.append(_attribute(organisation.slug, "organization", PROVIDER_TAXONOMY, "provider"))
    if organisation.mou_signed:
        attributes.append(_attribute(organisation.slug, "organization", AGREEMENT_TAXONOMY, "mou"))
    if organisation.data_sharing_signed:
        attributes.append(_attribute(organisation.slug, "organization", AGREEMENT_TAXONOMY, "data_sharing"))
    return {
        **(organisation.extra or {}),
        "id": organisation.slug,
        "name": organisation.name,
        "description": organisation.description,
        "email": organisation.email,
        "website": organisation.website,
        "attributes": attributes + list((organisation.extra or {}).get("attributes", [])),
    }


def service_document(service: OrganisationService, organisation_slug: str) -> dict[str, Any]:
    """A service as an HSDS 3.0 service (nested form), with the mechanism's profile as attributes."""
    sid = service.hsds_id
    attributes = [_attribute(sid, "service", SECTOR_TAXONOMY, service.sector.value)]
    attributes += [_attribute(sid, "service", TARGET_GROUP_TAXONOMY, group) for group in service.target_groups or []]
    attributes += [
        _attribute(sid, "service", PRIORITY_TAXONOMY, priority,
                   value=str((service.response_hours or {}).get(priority, "")) or None)
        for priority in service.accepted_priorities or []
    ]
    attributes += [_attribute(sid, "service", SEX_TAXONOMY, sex) for sex in service.eligible_sexes or []]
    document = {
        **(service.extra or {}),
        "id": sid,
        "organization_id": organisation_slug,
        "name": service.name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": "active" if service.active else "inactive",
        "fees_description": service.fees_description,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": service.assured_date.isoformat() if service.assured_date else None,
        "languages": [
            {"id": f"{sid}-language-{language}", "service_id": sid, "name": language, "code": LANGUAGE_CODES.get(language, language)}
            for language in service.languages or []
        ],
        "service_areas": [
            {"id": f"{sid}-area-{region}", "service_id": sid, "name": region} for region in service.regions or []
        ],
        "service_at_locations": [
            {"id": f"{sid}-site-{i}", "service_id": sid, "location_id": f"{sid}-location-{i}",
             "location": {"id": f"{sid}-location-{i}", "location_type": "physical", "name": site}}
            for i, site in enumerate(service.sites or [], start=1)
        ],
        "capacities": [] if service.capacity is None and service.capacity_available is None else [{
            "id": f"{sid}-capacity",
            "service_id": sid,
            "unit_id": f"places-per-{service.capacity_period}",
            "unit": {"id": f"places-per-{service.capacity_period}", "name": f"places per {service.capacity_period}",
                     "scheme": "aiguillage", "identifier": service.capacity_period},
            "maximum": service.capacity,
            "available": service.capacity_available,
            "updated": service.capacity_updated_at.isoformat() if service.capacity_updated_at else None,
        }],
        "contacts": [] if not any((service.contact_name, service.contact_email, service.contact_phone)) else [{
            "id": f"{sid}-focal-point",
            "service_id": sid,
            "name": service.contact_name,
            "title": service.contact_title,
            "email": service.contact_email,
            "phones": [{"id": f"{sid}-focal-point-phone", "contact_id": f"{sid}-focal-point", "number": service.contact_phone}]
            if service.contact_phone else [],
        }],
        "schedules": [{"id": f"{sid}-hours", "service_id": sid, "description": service.opening_hours}]
        if service.opening_hours else [],
        "attributes": attributes + list((service.extra or {}).get("attributes", [])),
    }
    return document


def _attribute(link_id: str, entity: str, taxonomy: str, code: str, value: str | None = None) -> dict[str, Any]:
    term_id = f"{taxonomy}:{code}"
    return {
        "id": f"{link_id}-{term_id}",
        "link_id": link_id,
        "link_type": taxonomy,
        "link_entity": entity,
        "taxonomy_term_id": term_id,
        "value": value,
        "taxonomy_term": {"id": term_id, "code": code, "name": code, "taxonomy": taxonomy},
    }


def attribute_codes(attributes: list, taxonomy: str) -> list[tuple[str, Any]]:
    """The (code, value) of the attributes whose taxonomy term belongs to `taxonomy`."""
    found = []
    for attribute in attributes or []:
        if not isinstance(attribute, dict):
            continue
        term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
        term_taxonomy = term.get("taxonomy") or attribute.get("link_type")
        code = term.get("code")
        if code is None and isinstance(attribute.get("taxonomy_term_id"), str):
            prefix, _, tail = attribute["taxonomy_term_id"].rpartition(":")
            term_taxonomy, code = term_taxonomy or prefix, tail
        if term_taxonomy == taxonomy and code:
            found.append((str(code), attribute.get("value")))
    return found
