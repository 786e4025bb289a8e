"""API routes for the service directory: every signed-in user reads it (no personal data); the
secretariat's administrators write every organisation's services, a provider's administrator its own.

Services are read and written as HSDS 3.0 service objects (the profile as `aiguillage:*` attributes).
"""

from __future__ import annotations

from flask import g
from marshmallow import INCLUDE, Schema, fields, validate

from engine.domain import Sector
from engine.services.directory import editing
from engine.services.directory.exchange import export_document
from engine.services.directory.listing import DirectoryFilter, search_services
from engine.services.directory.vocabulary import TARGET_GROUPS
from webui.api.operations import operation
from webui.request_scope import clock, uow


class DirectoryQuery(Schema):
    """Which services to list; every filter is optional."""

    q = fields.String(validate=validate.Length(1, 100), metadata={"description": "words in the service or organisation name"})
    sector = fields.String(validate=validate.OneOf([s.value for s in Sector]))
    region = fields.String(validate=validate.Length(1, 64))
    language = fields.String(validate=validate.Length(1, 64))
    target_group = fields.String(validate=validate.OneOf(TARGET_GROUPS))


class DirectoryEntry(Schema):
    """One active service with its provider and the mechanism's profile."""

    hsds_id = fields.String()
    organisation_slug = fields.String()
    organisation_name = fields.String()
    agreements_signed = fields.Boolean()
    sector = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    regions = fields.List(fields.String())
    sites = fields.List(fields.String())
    languages = fields.List(fields.String())
    target_groups = fields.List(fields.String())
    accepted_priorities = fields.List(fields.String())
    response_hours = fields.Dict(keys=fields.String(), values=fields.Integer())
    minimum_age = fields.Integer(allow_none=True)
    maximum_age = fields.Integer(allow_none=True)
    eligible_sexes = fields.List(fields.String())
    capacity = fields.Integer(allow_none=True)
    capacity_period = fields.String()
    capacity_available = fields.Integer(allow_none=True)
    opening_hours = fields.String(allow_none=True)
    fees_description = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_title = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    assured_date = fields.Date(allow_none=True)


class DirectoryList(Schema):
    """The services matching the filters, by organisation then name."""

    services = fields.List(fields.Nested(DirectoryEntry))


class HsdsService(Schema):
    """An HSDS 3.0 service object; fields beyond these are kept as they come."""

    class Meta:
        unknown = INCLUDE

    id = fields.String()
    organization_id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String()
    attributes = fields.List(fields.Dict(), metadata={"description": "the sector (aiguillage:sector) is required"})
    service_areas = fields.List(fields.Dict())
    languages = fields.List(fields.Dict())
    capacities = fields.List(fields.Dict())


class HsdsDocument(Schema):
    """The whole directory as HSDS 3.0: {hsds_version, organizations, services}."""

    class Meta:
        unknown = INCLUDE

    hsds_version = fields.String()
    organizations = fields.List(fields.Dict())
    services = fields.List(fields.Dict())


class SavedService(Schema):
    """The service as stored, and what the change did."""

    created = fields.Boolean()
    changed = fields.List(fields.String())
    service = fields.Dict(attribute="document")


@operation("GET", "/directory/services", tag="directory", query=DirectoryQuery, response=DirectoryList)
def list_services(query: dict):
    """The directory's active services, searched and filtered."""
    wanted = DirectoryFilter(text=query.get("q"), sector=query.get("sector"), region=query.get("region"),
                             language=query.get("language"), target_group=query.get("target_group"))
    return {"services": search_services(uow(), wanted)}


@operation("GET", "/directory/services/<service_id>", tag="directory", response=HsdsService, errors=(404,))
def show_service(service_id: str):
    """One service as an HSDS 3.0 service object."""
    return editing.service_document_of(uow(), service_id)


@operation("PUT", "/directory/services/<service_id>", tag="directory", body=HsdsService, response=SavedService,
           errors=(403,))
def save_service(service_id: str, body: dict):
    """Create or replace a service (secretariat administrators: any; a provider's administrator: its own)."""
    return editing.save_service(uow(), clock(), g.user.actor, service_id, body)


@operation("GET", "/directory/export", tag="directory", response=HsdsDocument)
def export_directory():
    """The whole directory as one HSDS 3.0 document."""
    return export_document(uow())
