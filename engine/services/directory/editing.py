"""Changing the directory one service at a time: the secretariat's administrators edit every
organisation's services, a provider's administrator only its own; every change is audited.

A service is written as an HSDS 3.0 service object, read by the same reader as imported files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.access import Actor
from engine.clock import Clock
from engine.domain import Priority, Sector
from engine.errors import AccessDenied, InvalidData, NotFound
from engine.field_problems import (
    FieldProblem, not_a_choice, not_a_date, not_an_email, not_text, not_whole_number, required, too_big, too_long, too_small,
)
from engine.services.accounts.administration import EMAIL, can_administer, can_manage_organisations, secretariat_id
from engine.services.directory.exchange import SERVICE_COLUMNS, same_value
from engine.services.directory.hsds import attribute_codes, service_document
from engine.services.directory.reading import TEXT_LIMITS, Problem, read_service
from engine.services.directory.vocabulary import PRIORITY_TAXONOMY, SECTOR_TAXONOMY
from engine.store.models import AuditEntry, Organisation, OrganisationService
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class SavedService:
    """A service after a change: its HSDS document, whether it was new, and which fields changed."""

    document: dict[str, Any]
    created: bool
    changed: tuple[str, ...]


def can_edit_services_of(actor: Actor, organisation_id: int, secretariat: int | None) -> bool:
    """The secretariat's administrators edit every organisation's services; a provider's administrator its own."""
    return can_manage_organisations(actor, secretariat) or (can_administer(actor) and actor.organisation_id == organisation_id)


def editable_organisations(uow: UnitOfWork, actor: Actor) -> list[tuple[str, str]]:
    """(slug, name) of the providers whose services the actor may edit, by name."""
    with uow:
        secretariat = secretariat_id(uow)
        rows = uow.session.execute(select(Organisation.id, Organisation.slug, Organisation.name)
                                   .where(Organisation.is_provider.is_(True)).order_by(Organisation.name)).all()
    return [(slug, name) for oid, slug, name in rows if can_edit_services_of(actor, oid, secretariat)]


def service_for_editing(uow: UnitOfWork, actor: Actor, hsds_id: str) -> dict[str, Any]:
    """A service's HSDS document, for one who may edit it (NotFound / AccessDenied otherwise)."""
    with uow:
        service, slug = _load(uow, hsds_id)
        if not can_edit_services_of(actor, service.organisation_id, secretariat_id(uow)):
            raise AccessDenied(f"{actor.username} may not edit the services of {slug}")
        return service_document(service, slug)


def save_service(uow: UnitOfWork, clock: Clock, actor: Actor, hsds_id: str, document: Any) -> SavedService:
    """Create or replace service `hsds_id` from an HSDS service object; InvalidData naming each refused
    field (by its directory column, `service_problems`) otherwise, and nothing written."""
    if not isinstance(document, dict):
        raise InvalidData("a service must be an HSDS service object", {"service": ["must be an object"]})
    document = {**document, "id": hsds_id}
    problems = service_problems(document)
    checked = set(problems)
    if any(column == "sector" or column.startswith("response_hours.") for column in problems):
        checked.add("attributes")  # the reader finds the sector and the hours among the attributes
    read: list[Problem] = []
    values = read_service(document, "service", read, [])
    for problem in read:
        # The reader's words (English, without a code) only where the checks above found nothing:
        # they cover every field the edit page shows, so its readers never see these.
        if _column_of(problem) not in checked:
            problems.setdefault(_column_of(problem), []).append(problem.message)
    with uow:
        lock_for_writing(uow)
        secretariat = secretariat_id(uow)
        organisation = None if values is None else uow.session.scalar(
            select(Organisation).where(Organisation.slug == values["organization_id"]))
        if values is not None and (organisation is None or not organisation.is_provider):
            problems.setdefault("organization_id", []).append(
                FieldProblem("unknown_provider", f"{values['organization_id']!r} is not a provider of the directory"))
        if problems:
            raise InvalidData(f"service {hsds_id}: " + "; ".join(f"{field}: {problem}" for field, found in problems.items()
                                                                  for problem in found), problems)
        current = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == hsds_id))
        owners = {organisation.id} | ({current.organisation_id} if current is not None else set())
        if not all(can_edit_services_of(actor, owner, secretariat) for owner in owners):
            raise AccessDenied(f"{actor.username} may not edit the services of {organisation.slug}")
        now = clock.now()
        created = current is None
        if created:
            current = OrganisationService(hsds_id=hsds_id, organisation_id=organisation.id)
            uow.session.add(current)
        changed = [c for c in SERVICE_COLUMNS if created or not same_value(c, getattr(current, c), values[c])]
        if current.organisation_id != organisation.id:
            changed.append("organization_id")
        if "capacity_available" in changed:
            current.capacity_updated_at = now
        current.organisation_id = organisation.id
        for column in SERVICE_COLUMNS:
            setattr(current, column, values[column])
        current.updated_at = now
        uow.session.add(AuditEntry(at=now, user_id=actor.id, action="directory_service_saved", object_type="service",
                                   object_id=hsds_id[:100], details={"created": created, "changed": changed,
                                                                     "organisation": organisation.slug}))
        uow.session.flush()
        saved = SavedService(service_document(current, organisation.slug), created, tuple(changed))
        uow.commit()
    return saved


# Lenient on purpose: numbers are written "+237 6 99 00 00 00", "(0)699-000-000", "699.00.00.00" or
# "117"; what is refused is what no one dials ("abc", "tomorrow").
PHONE = re.compile(r"[0-9 +()./-]+")
PHONE_DIGITS = 3
# The service's own texts (stored under the same names) and its contact's, by their columns.
TEXTS = ("name", "description", "url", "email", "fees_description", "eligibility_description")
CONTACT_TEXTS = {"name": "contact_name", "title": "contact_title", "email": "contact_email"}
Refuse = Callable[[str, FieldProblem], None]


def service_problems(document: dict[str, Any]) -> dict[str, list[FieldProblem]]:
    """What is wrong with each field of an HSDS service object, named by its directory column (hours
    of a priority as `response_hours.<priority>`); empty when nothing is. Numbers are whole and from
    0, free places at most the capacity, the maximum age at least the minimum, emails and phones
    look like ones: what the reader alone lets through would mislead whoever refers a person."""
    problems: dict[str, list[FieldProblem]] = {}

    def refuse(column: str, problem: FieldProblem) -> None:
        problems.setdefault(column, []).append(problem)

    organisation = document.get("organization")
    if _blank(document.get("organization_id") or (organisation.get("id") if isinstance(organisation, dict) else None)):
        refuse("organization_id", required())
    if _blank(document.get("name")):
        refuse("name", required())
    for column in TEXTS:
        _text(document.get(column), column, TEXT_LIMITS.get(column), refuse)
    _email(document.get("email"), "email", refuse)
    attributes = document.get("attributes") if isinstance(document.get("attributes"), list) else []
    _sector(attributes, refuse)
    for priority, hours in attribute_codes(attributes, PRIORITY_TAXONOMY):
        if priority in Priority.__members__.values():
            _count(hours, f"response_hours.{priority}", refuse)
    minimum = _count(document.get("minimum_age"), "minimum_age", refuse)
    maximum = _count(document.get("maximum_age"), "maximum_age", refuse)
    if minimum is not None and maximum is not None and maximum < minimum:
        refuse("maximum_age", too_small(minimum))
    capacity = _first(document.get("capacities"))
    places = _count(capacity.get("maximum"), "capacity", refuse)
    free = _count(capacity.get("available"), "capacity_available", refuse)
    if places is not None and free is not None and free > places:
        refuse("capacity_available", too_big(places))
    contact = _first(document.get("contacts"))
    for key, column in CONTACT_TEXTS.items():
        _text(contact.get(key), column, TEXT_LIMITS.get(column), refuse)
    _email(contact.get("email"), "contact_email", refuse)
    _phone(_first(contact.get("phones")).get("number"), refuse)
    _text(_first(document.get("schedules")).get("description"), "opening_hours", TEXT_LIMITS["opening_hours"], refuse)
    _date(document.get("assured_date"), refuse)
    return problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _first(items: Any) -> dict[str, Any]:
    # The directory keeps one capacity, one contact, one phone, one schedule: the first.
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _text(value: Any, column: str, limit: int | None, refuse: Refuse) -> None:
    if _blank(value) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return
    if not isinstance(value, str):
        refuse(column, not_text())
    elif limit is not None and len(value.strip()) > limit:
        refuse(column, too_long(limit))


def _email(value: Any, column: str, refuse: Refuse) -> None:
    if isinstance(value, str) and value.strip() and len(value.strip()) <= TEXT_LIMITS[column] \
            and not EMAIL.fullmatch(value.strip()):
        refuse(column, not_an_email())


def _phone(value: Any, refuse: Refuse) -> None:
    if _blank(value):
        return
    number = str(value).strip()
    if len(number) > TEXT_LIMITS["contact_phone"]:
        refuse("contact_phone", too_long(TEXT_LIMITS["contact_phone"]))
    elif not PHONE.fullmatch(number) or sum(c.isdigit() for c in number) < PHONE_DIGITS:
        refuse("contact_phone", FieldProblem("no_pattern_match", "must be a phone number: digits, spaces, +, -, parentheses",
                                             pattern=PHONE.pattern))


def _sector(attributes: list, refuse: Refuse) -> None:
    sectors = {code for code, _value in attribute_codes(attributes, SECTOR_TAXONOMY)}
    if not sectors:
        refuse("sector", required())
    elif len(sectors) > 1 or not sectors <= set(Sector.__members__.values()):
        refuse("sector", not_a_choice(s.value for s in Sector))


def _count(value: Any, column: str, refuse: Refuse) -> int | None:
    """A whole number from 0, None when none is given (refused otherwise)."""
    if _blank(value):
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):
        number = int(value)
    if number is None:
        refuse(column, not_whole_number())
        return None
    if number < 0:
        refuse(column, too_small(0))
        return None
    return number


def _date(value: Any, refuse: Refuse) -> None:
    if _blank(value):
        return
    try:
        date.fromisoformat(str(value)[:10])
    except ValueError:
        refuse("assured_date", not_a_date())


def _column_of(problem: Problem) -> str:
    """The directory column a reader's problem is about (its field is named after HSDS, nested or not)."""
    nested = {"capacities": {"maximum": "capacity", "available": "capacity_available"},
              "contacts": {"name": "contact_name", "title": "contact_title", "email": "contact_email"},
              "schedules": {"description": "opening_hours"}, "service_areas": {"name": "regions"}, "languages": {"code": "languages"}}
    for part, columns in nested.items():
        if f"/{part}/" in f"{problem.where}/":
            return columns.get(problem.field or "", part)
    return {"service_areas": "regions", "id": "hsds_id"}.get(problem.field or "", problem.field or "service")


def _load(uow: UnitOfWork, hsds_id: str) -> tuple[OrganisationService, str]:
    row = uow.session.execute(
        select(OrganisationService, Organisation.slug).join(Organisation).where(OrganisationService.hsds_id == hsds_id)
    ).first()
    if row is None:
        raise NotFound(f"service {hsds_id!r} is not in the directory")
    return row[0], row[1]


def service_document_of(uow: UnitOfWork, hsds_id: str) -> dict[str, Any]:
    """A service's HSDS document (the directory holds no personal data: any signed-in user may read it)."""
    with uow:
        service, slug = _load(uow, hsds_id)
        return service_document(service, slug)
