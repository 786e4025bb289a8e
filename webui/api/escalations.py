"""API routes: escalations I may see, acknowledging, resolving and handing them over."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from engine.domain import EscalationStatus
from engine.services.escalations import handling as escalations
from engine.services.escalations.stalled import list_stalled
from webui.api.operations import MAX_LIMIT, operation
from webui.api.schemas import LONG_TEXT, ReassignBody, page_of
from webui.request_scope import clock, uow

# The service reads newest first with a limit: deep pages are read and cut here, so they stay shallow.
MAX_ESCALATION_OFFSET = 1000


class EscalationQuery(Schema):
    """Which escalations to list."""

    status = fields.String(validate=validate.OneOf([s.value for s in EscalationStatus]))
    level = fields.Integer(validate=validate.Range(1, 10))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_ESCALATION_OFFSET))


class _EscalationFacts(Schema):
    """What an escalation and a missed deadline's line both say: whose case, which referral, how far it went."""

    case_id = fields.Integer()
    case_reference = fields.String()
    referral_id = fields.Integer(allow_none=True)
    level = fields.Integer()
    reason = fields.String()
    status = fields.String(validate=validate.OneOf([s.value for s in EscalationStatus]))
    sector = fields.String(allow_none=True)
    provider = fields.String(allow_none=True)
    reassigned_to_id = fields.Integer(allow_none=True)


class Escalation(_EscalationFacts):
    """A deadline that passed and was escalated: to which level, why, and what was done."""

    id = fields.Integer()
    deadline_kind = fields.String()
    at = fields.DateTime()
    resolution_note = fields.String(allow_none=True)


class ResolveBody(Schema):
    """Resolve an escalation: what was done (no further level is raised)."""

    note = fields.String(required=True, validate=validate.Length(1, LONG_TEXT))


EscalationList = page_of("EscalationList", "escalations", Escalation)


class StalledQuery(Schema):
    """How many missed deadlines to list."""

    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))


class ChainLevel(Schema):
    """One level of a missed deadline's chain."""

    escalation_id = fields.Integer()
    level = fields.Integer()
    due_at = fields.DateTime(allow_none=True)
    raised_at = fields.DateTime()
    status = fields.String(validate=validate.OneOf([s.value for s in EscalationStatus]))


class Stalled(_EscalationFacts):
    """A missed deadline still waited on, at its highest waiting level (what the escalations page lists)."""

    escalation_id = fields.Integer()  # the highest waiting level: the one to acknowledge, resolve or hand over
    deadline = fields.DateTime()
    late_seconds = fields.Integer()
    chain = fields.List(fields.Nested(ChainLevel))


StalledList = Schema.from_dict({"stalled": fields.List(fields.Nested(Stalled)), "limit": fields.Integer()},
                               name="StalledList")


@operation("GET", "/escalations/stalled", tag="escalations", query=StalledQuery, response=StalledList)
def list_stalled_escalations(query: dict):
    """Missed deadlines still waited on that I may see, one each at its highest level, the latest first."""
    found = list_stalled(uow(), clock(), g.user.actor, limit=query["limit"])
    return {"stalled": [{**vars(item), "late_seconds": int(item.late.total_seconds())} for item in found],
            "limit": query["limit"]}


@operation("GET", "/escalations", tag="escalations", query=EscalationQuery, response=EscalationList)
def list_escalations(query: dict):
    """Escalations I may see, newest first, one per level raised (coordinators see all); `/escalations/stalled` gives one per missed deadline."""
    limit, offset = query["limit"], query["offset"]
    found = escalations.list_escalations(uow(), g.user.actor, query.get("status"), query.get("level"), offset + limit)
    return {"escalations": found[offset:], "limit": limit, "offset": offset}


@operation("POST", "/escalations/<escalation_id>/acknowledge", tag="escalations", response=Escalation,
           errors=(403, 409))
def acknowledge_escalation(escalation_id: int):
    """Say someone is looking at an open escalation."""
    return escalations.acknowledge_escalation(uow(), clock(), escalation_id, g.user.actor)


@operation("POST", "/escalations/<escalation_id>/resolve", tag="escalations", body=ResolveBody, response=Escalation,
           errors=(403, 409))
def resolve_escalation(escalation_id: int, body: dict):
    """Resolve an escalation with a note; no further level is raised for it."""
    return escalations.resolve_escalation(uow(), clock(), escalation_id, g.user.actor, body["note"])


@operation("POST", "/escalations/<escalation_id>/reassign", tag="escalations", body=ReassignBody,
           response=Escalation, errors=(403, 409))
def reassign_escalation(escalation_id: int, body: dict):
    """Hand an escalation that is not resolved to a named, active user, who is alerted."""
    return escalations.reassign_escalation(uow(), clock(), escalation_id, g.user.actor, body["username"])
