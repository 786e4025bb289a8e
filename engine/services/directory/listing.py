"""Reading the directory: services searched and filtered (sector, region, language, target group)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from engine.domain import Sector
from engine.errors import InvalidData
from engine.store.models import Organisation, OrganisationService
from engine.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DirectoryFilter:
    """What the reader is looking for; None matches everything."""

    text: str | None = None
    sector: str | None = None
    region: str | None = None
    language: str | None = None
    target_group: str | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class DirectoryEntry:
    """One service as the directory shows it (no personal data: every signed-in user may read it)."""

    id: int
    hsds_id: str
    organisation_id: int
    organisation_slug: str
    organisation_name: str
    agreements_signed: bool
    sector: str
    name: str
    description: str | None
    regions: tuple[str, ...]
    sites: tuple[str, ...]
    languages: tuple[str, ...]
    target_groups: tuple[str, ...]
    accepted_priorities: tuple[str, ...]
    response_hours: dict
    minimum_age: int | None
    maximum_age: int | None
    eligible_sexes: tuple[str, ...]
    capacity: int | None
    capacity_period: str
    capacity_available: int | None
    opening_hours: str | None
    fees_description: str | None
    contact_name: str | None
    contact_title: str | None
    contact_email: str | None
    contact_phone: str | None
    active: bool
    assured_date: date | None


def search_services(uow: UnitOfWork, wanted: DirectoryFilter) -> list[DirectoryEntry]:
    """The services matching the filter, by organisation name then service name."""
    if wanted.sector and wanted.sector not in Sector.__members__.values():
        raise InvalidData(f"unknown sector {wanted.sector!r}", {"sector": [f"one of {', '.join(s.value for s in Sector)}"]})
    query = select(OrganisationService, Organisation).join(Organisation, Organisation.id == OrganisationService.organisation_id)
    if not wanted.include_inactive:
        query = query.where(OrganisationService.active.is_(True))
    if wanted.sector:
        query = query.where(OrganisationService.sector == Sector(wanted.sector))
    if wanted.text:
        pattern = f"%{wanted.text.strip().lower()}%"
        query = query.where(or_(func.lower(OrganisationService.name).like(pattern), func.lower(Organisation.name).like(pattern)))
    with uow:
        rows = uow.session.execute(query.order_by(Organisation.name, OrganisationService.name)).all()
        entries = [entry_of(service, organisation) for service, organisation in rows]
    # Lists are JSON columns: filtered here, the same way on SQLite and PostgreSQL.
    return [
        e for e in entries
        if (not wanted.region or wanted.region in e.regions)
        and (not wanted.language or wanted.language in e.languages)
        and (not wanted.target_group or wanted.target_group in e.target_groups)
    ]


def entry_of(service: OrganisationService, organisation: Organisation) -> DirectoryEntry:
    return DirectoryEntry(
        id=service.id, hsds_id=service.hsds_id, organisation_id=organisation.id, organisation_slug=organisation.slug,
        organisation_name=organisation.name, agreements_signed=organisation.mou_signed and organisation.data_sharing_signed,
        sector=service.sector.value, name=service.name, description=service.description,
        regions=tuple(service.regions or organisation.regions or ()), sites=tuple(service.sites or ()),
        languages=tuple(service.languages or ()), target_groups=tuple(service.target_groups or ()),
        accepted_priorities=tuple(service.accepted_priorities or ()), response_hours=dict(service.response_hours or {}),
        minimum_age=service.minimum_age, maximum_age=service.maximum_age, eligible_sexes=tuple(service.eligible_sexes or ()),
        capacity=service.capacity, capacity_period=service.capacity_period, capacity_available=service.capacity_available,
        opening_hours=service.opening_hours, fees_description=service.fees_description,
        contact_name=service.contact_name, contact_title=service.contact_title, contact_email=service.contact_email,
        contact_phone=service.contact_phone, active=service.active, assured_date=service.assured_date,
    )
