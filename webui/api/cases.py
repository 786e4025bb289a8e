"""API routes: open, list and show cases, and read a case's history."""

from __future__ import annotations

from flask import g

from engine.services.cases import listing as case_list

from engine.services.cases import view as case_view

from engine.services.cases import lifecycle as cases
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
