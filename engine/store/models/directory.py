"""Organisations, the services they offer, their users, roles, groups and API tokens."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, delete, event, false, insert, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.domain import Language, OrganisationKind, Priority, Role, Sector
from engine.store.models.base import Base
from engine.store.types import enum_column


class Organisation(Base):
    """A member of the mechanism: a referring agency, a service provider, or both."""

    __tablename__ = "organisations"
    __table_args__ = (
        Index("uq_organisations_one_secretariat", "is_secretariat", unique=True,
              sqlite_where=text("is_secretariat"), postgresql_where=text("is_secretariat")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    is_provider: Mapped[bool] = mapped_column(default=False)
    # Without both agreements signed, a provider must not receive personal data.
    mou_signed: Mapped[bool] = mapped_column(default=False)
    data_sharing_signed: Mapped[bool] = mapped_column(default=False)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # The mechanism's secretariat (one per installation): its people coordinate, author the SOPs and
    # administer every organisation. Set by an operator, never by granting a role.
    is_secretariat: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    # HSDS 3.0 organization fields the directory shows, and what an import brought that has no column
    # (kept to be exported again, never lost silently).
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(500))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    services: Mapped[list[OrganisationService]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationService.id"
    )


class OrganisationService(Base):
    """One service a provider offers (an HSDS 3.0 `service`) with the mechanism's profile: sector, where,
    for whom, in which languages, for which priorities, how many places are free, who to call."""

    __tablename__ = "organisation_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The HSDS `service.id`: what an import upserts by and an export writes.
    hsds_id: Mapped[str] = mapped_column(String(100), unique=True, default=lambda: str(uuid4()))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    # Region ids (HSDS service_area names) and sites (HSDS locations) where the service is given.
    regions: Mapped[list[Any]] = mapped_column(default=list)
    sites: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    accepted_priorities: Mapped[list[Any]] = mapped_column(default=lambda: [p.value for p in Priority])
    # Hours within which the provider commits to respond, by accepted priority ("emergency": 24).
    response_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Who may be referred: ages (inclusive), sexes and target groups; empty means anyone.
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    eligible_sexes: Mapped[list[Any]] = mapped_column(default=list)
    target_groups: Mapped[list[Any]] = mapped_column(default=list)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    # Persons the service can take per `capacity_period`; None means not stated. `capacity_available`:
    # places free now, as last reported (None: unknown).
    capacity: Mapped[int | None] = mapped_column(Integer)
    capacity_period: Mapped[str] = mapped_column(String(16), default="month")
    capacity_available: Mapped[int | None] = mapped_column(Integer)
    capacity_updated_at: Mapped[datetime | None]
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    fees_description: Mapped[str | None] = mapped_column(String(500))
    # The organisation's focal point for this service (never a referred person).
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_title: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)
    # HSDS `assured_date`: when someone last checked the entry with the provider.
    assured_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None]
    # HSDS fields an import brought that have no column here, exported again as they came.
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    organisation: Mapped[Organisation] = relationship(back_populates="services")


class ServiceArea(Base):
    """One region a service is given in (an HSDS 3.0 `service_area`), as matching reads it: the service's
    own areas, or its organisation's regions when it names none. Rewritten from the services' `regions`
    whenever they change (`_keep_service_areas`), so that matching finds a sector's services in a region
    through an index instead of reading every service of the sector."""

    __tablename__ = "service_areas"
    __table_args__ = (Index("ix_service_areas_sector_region", "sector", "region", "service_id"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("organisation_services.id", ondelete="CASCADE"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))


# What a service's areas are made of: a change to any of these rewrites them.
_AREA_SOURCES = ("regions", "sector", "organisation_id")
_CHUNK = 500


@event.listens_for(Session, "after_flush")
def _keep_service_areas(session: Session, _context) -> None:
    """Rewrite the service_areas rows of the services a flush created or changed, and of the services
    of organisations whose regions changed, in the flush's transaction: every writer (import, editing,
    seeds, organisation edits) keeps them without knowing of them."""
    services = {s.id: s for s in session.new if isinstance(s, OrganisationService)}
    services.update({s.id: s for s in session.dirty if isinstance(s, OrganisationService)
                     and any(inspect(s).attrs[a].history.has_changes() for a in _AREA_SOURCES)})
    organisations = [o.id for o in session.dirty if isinstance(o, Organisation) and inspect(o).attrs.regions.history.has_changes()]
    if not services and not organisations:
        return
    connection = session.connection()
    rows = {service_id: (s.sector, s.organisation_id, s.regions) for service_id, s in services.items()}
    for chunk in _chunks(organisations):
        for service_id, sector, organisation_id, regions in connection.execute(
                select(OrganisationService.id, OrganisationService.sector, OrganisationService.organisation_id,
                       OrganisationService.regions).where(OrganisationService.organisation_id.in_(chunk))):
            rows.setdefault(service_id, (sector, organisation_id, regions))
    inherited = {o for _, o, regions in rows.values() if not regions}
    organisation_regions = {}
    for chunk in _chunks(sorted(inherited)):
        organisation_regions.update(connection.execute(
            select(Organisation.id, Organisation.regions).where(Organisation.id.in_(chunk))).all())
    for chunk in _chunks(sorted(rows)):
        connection.execute(delete(ServiceArea).where(ServiceArea.service_id.in_(chunk)))
    areas = [{"service_id": service_id, "region": str(region)[:64], "sector": Sector(sector)}
             for service_id, (sector, organisation_id, regions) in rows.items()
             for region in dict.fromkeys(regions or organisation_regions.get(organisation_id) or [])]
    for start in range(0, len(areas), _CHUNK):
        connection.execute(insert(ServiceArea), areas[start:start + _CHUNK])


def _chunks(ids: list) -> list[list]:
    ids = list(ids)
    return [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


class User(Base):
    """A staff member of one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[Language] = mapped_column(enum_column(Language, "language"), default=Language.FR)
    # None: cannot sign in with a password (API tokens only, or not yet set).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Set while the password is one someone else chose (an administrator, an operator): its owner must
    # replace it at their next sign-in before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    # Channels and immediate/digest choices, shaped by the notifications package.
    notification_prefs: Mapped[dict[str, Any]] = mapped_column(default=dict)

    organisation: Mapped[Organisation] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")
    group_rows: Mapped[list[UserGroup]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[Role]:
        """The roles this user holds."""
        return {row.role for row in self.role_rows}

    @property
    def groups(self) -> set[str]:
        """Candidate groups this user belongs to: every role's name plus the extra groups."""
        return {role.value for role in self.roles} | {row.group_name for row in self.group_rows}


class UserRole(Base):
    """A role held by a user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class UserGroup(Base):
    """An extra candidate group a user belongs to, beyond the groups named after their roles."""

    __tablename__ = "user_groups"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(100), primary_key=True)


class ApiToken(Base):
    """A personal token for scripts and partner systems; only its hash is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
