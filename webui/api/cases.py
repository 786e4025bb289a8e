"""API routes: open, list and show cases, read a case's history, export the person's record, hold a case."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from engine.domain import Language
from engine.services.cases import lifecycle as cases
from engine.services.cases import listing as case_list
from engine.services.cases import retention
from engine.services.cases import view as case_view
from engine.services.cases.person_record import export_person_record, record_as_json
from engine.services.cases.retention import HOLD_REASON_MAX
from webui.api import schemas
from webui.api.operations import operation
from webui.request_scope import clock, uow


@operation("POST", "/cases", tag="cases", body=schemas.OpenCaseBody, response=schemas.OpenedCase, status=201,
           errors=(403, 404))
def open_case(body: dict):
    """Open a case on the latest published version of a pathway (caseworkers)."""
    return cases.open_case(uow(), clock(), body["pathway_id"], g.user.actor)


@operation("GET", "/cases", tag="cases", query=schemas.CaseQuery, response=schemas.CaseList)
def list_cases(query: dict):
    """The cases I may see, most recently changed first."""
    found = case_list.list_cases(uow(), g.user.actor, query.get("status"), query["limit"], query["offset"])
    return {"cases": found, "limit": query["limit"], "offset": query["offset"]}


@operation("GET", "/cases/<case_id>", tag="cases", response=schemas.CaseDetail)
def show_case(case_id: int):
    """A case: stage, open tasks, referrals and consents (404 unless I may see it; the read is audited)."""
    return case_view.show_case(uow(), clock(), case_id, g.user.actor)


@operation("GET", "/cases/<case_id>/history", tag="cases", query=schemas.ListQuery, response=schemas.CaseHistory)
def case_history(case_id: int, query: dict):
    """A case's history, oldest first (404 unless I may see the case; the read is audited)."""
    events = case_list.case_history(uow(), clock(), case_id, g.user.actor, query["limit"], query["offset"])
    return {"events": events, "limit": query["limit"], "offset": query["offset"]}


class RecordQuery(Schema):
    """The language of the record (the caller's own by default)."""

    language = fields.String(validate=validate.OneOf([language.value for language in Language]))


class PersonRecordDocument(Schema):
    """A person's record for a subject access request: their answers, consents, referrals, history, and who read it."""

    reference = fields.String()
    language = fields.String()
    exported_at = fields.String()
    exported_by = fields.String()
    pathway = fields.String()
    status = fields.String()
    created_at = fields.String()
    closed_at = fields.String(allow_none=True)
    close_reason = fields.String(allow_none=True)
    anonymised_at = fields.String(allow_none=True)
    fields_ = fields.List(fields.Dict(), data_key="fields", attribute="fields")
    consents = fields.List(fields.Dict())
    referrals = fields.List(fields.Dict())
    history = fields.List(fields.Dict())
    accesses = fields.List(fields.Dict())


@operation("GET", "/cases/<case_id>/record", tag="cases", query=RecordQuery, response=PersonRecordDocument,
           errors=(403,))
def person_record(case_id: int, query: dict):
    """The person's record of a case, for a subject access request (a supervisor of the case's organisation; audited)."""
    language = query.get("language") or g.user.language
    return record_as_json(export_person_record(uow(), clock(), case_id, g.user.actor, language, "json"))


class LegalHoldBody(Schema):
    """Why the case must be kept beyond its retention period (proceedings, an investigation...)."""

    reason = fields.String(required=True, validate=validate.Length(1, HOLD_REASON_MAX),
                           metadata={"description": "kept on the case only, never in history or the audit details"})


@operation("POST", "/cases/<case_id>/legal-hold", tag="cases", body=LegalHoldBody, status=204, errors=(403, 404, 409))
def place_legal_hold(case_id: int, body: dict):
    """Keep a case from anonymisation while it is held (coordinators; audited)."""
    retention.place_legal_hold(uow(), clock(), case_id, g.user.actor, body["reason"])


@operation("POST", "/cases/<case_id>/legal-hold/lift", tag="cases", status=204, errors=(403, 404))
def lift_legal_hold(case_id: int):
    """End a case's legal hold: its retention period applies again (coordinators; audited)."""
    retention.lift_legal_hold(uow(), clock(), case_id, g.user.actor)
