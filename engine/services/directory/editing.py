"""Changing the directory one service at a time: the secretariat's administrators edit every
organisation's services, a provider's administrator only its own; every change is audited.

A service is written as an HSDS 3.0 service object, read by the same reader as imported files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.access import Actor
from engine.clock import Clock
from engine.errors import AccessDenied, InvalidData, NotFound
from engine.services.accounts.administration import can_administer, can_manage_organisations, secretariat_id
from engine.services.directory.exchange import SERVICE_COLUMNS, same_value
from engine.services.directory.hsds import service_document
from engine.services.directory.reading import Problem, read_service
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
    """Create or replace service `hsds_id` from an HSDS service object; InvalidData naming each field otherwise."""
    if not isinstance(document, dict):
        raise InvalidData("a service must be an HSDS service object", {"service": ["must be an object"]})
    document = {**document, "id": hsds_id}
    problems: list[Problem] = []
    values = read_service(document, "service", problems, [])
    if values is None:
        raise InvalidData(f"service {hsds_id}: " + "; ".join(str(p) for p in problems),
                          {p.field or "service": [p.message] for p in problems})
    with uow:
        lock_for_writing(uow)
        secretariat = secretariat_id(uow)
        organisation = uow.session.scalar(select(Organisation).where(Organisation.slug == values["organization_id"]))
        if organisation is None or not organisation.is_provider:
            raise InvalidData(f"organisation {values['organization_id']!r} is not a provider of the directory",
                              {"organization_id": ["not a provider of the directory"]})
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
