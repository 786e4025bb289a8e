"""API routes: referrals I may see, one referral with the data it shares, and the provider's answers.

Each answer completes the referral's workflow task for that move (see engine.services.referrals.answers);
the body's fields are that task's form fields, and `data` carries any other field the pathway's form has.
An acknowledgement's `acknowledged_by` and `acknowledged_on`, a decision's `decision`, `decline_reason` and
`appointment_date`, and an outcome's `service_delivered` and `outcome_note`, reach the fields the pathway's step
names for them (engine.pathways.step_fields).
"""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from engine.domain import Priority, ReferralState, Sector
from engine.services.referrals import answers as referral_answers
from engine.services.referrals import view as referral_view
from webui.api.operations import Page, operation
from webui.api.schemas import FormValue, StepResult, page_of
from webui.request_scope import clock, uow
from webui.untrusted_input import judged_by_pathway_form

ANSWER_ERRORS = (403, 409)


class ReferralQuery(Page):
    """Which referrals to list."""

    state = fields.String(validate=validate.OneOf([s.value for s in ReferralState]))


class ReferralSummary(Schema):
    """A referral in a list (no personal data)."""

    id = fields.Integer()
    case_id = fields.Integer()
    case_reference = fields.String()
    sector = fields.String(validate=validate.OneOf([s.value for s in Sector]))
    priority = fields.String(validate=validate.OneOf([p.value for p in Priority]))
    state = fields.String(validate=validate.OneOf([s.value for s in ReferralState]))
    provider_organisation_id = fields.Integer(allow_none=True)
    provider = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    appointment_at = fields.DateTime(allow_none=True)
    outcome_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    escalation_level = fields.Integer()


class ReferralDetail(ReferralSummary):
    """One referral with only the person's data it shares."""

    shared_fields = fields.List(fields.String())
    shared_data = fields.Dict(keys=fields.String(), values=fields.Raw(),
                              metadata={"description": "only the fields this referral shares"})
    outcome_note = fields.String(allow_none=True)
    personal_data_until = fields.DateTime(allow_none=True, metadata={
        "description": "when the provider stops receiving the person's data (a set time after the referral closed)"})
    personal_data_ended = fields.Boolean(metadata={"description": "true once the provider's access has ended"})


ReferralList = page_of("ReferralList", "referrals", ReferralSummary)


def _extra_fields():
    return fields.Dict(keys=fields.String(validate=validate.Length(1, 100)), values=fields.Raw(allow_none=True),
                       load_default=dict, metadata={"description": "other fields of the pathway's form for this step"})


class AcknowledgeBody(Schema):
    """Acknowledge receipt of a referral."""

    acknowledged_by = FormValue("string", required=True)
    acknowledged_on = FormValue("string", "date")
    data = _extra_fields()


class AcceptBody(Schema):
    """Accept a referral, with an appointment date if one is booked."""

    appointment_date = FormValue("string", "date")
    data = _extra_fields()


class DeclineBody(Schema):
    """Decline a referral, saying why (one of the pathway's decline reasons; the pathway's form rule requires it)."""

    decline_reason = FormValue("string")
    data = _extra_fields()


class RedirectBody(Schema):
    """Redirect a referral to another provider."""

    redirect_to = FormValue("string")
    data = _extra_fields()


class OutcomeBody(Schema):
    """Report whether the service was delivered."""

    service_delivered = FormValue("boolean", required=True)
    service_date = FormValue("string", "date")
    outcome_note = FormValue("string")
    data = _extra_fields()


def _form_data(body: dict, **fixed) -> dict:
    # The extra fields first: the named ones and the move itself always win.
    named = {k: v for k, v in body.items() if k != "data"}
    return {**body.get("data", {}), **named, **fixed}


@operation("GET", "/referrals", tag="referrals", query=ReferralQuery, response=ReferralList)
def list_referrals(query: dict):
    """Referrals I may see: addressed to my organisation, or of my organisation's cases (all for coordinators)."""
    found = referral_view.list_referrals(uow(), g.user.actor, query.get("state"), query["limit"], query["offset"])
    return {"referrals": found, "limit": query["limit"], "offset": query["offset"]}


@operation("GET", "/referrals/<referral_id>", tag="referrals", response=ReferralDetail)
def show_referral(referral_id: int):
    """One referral with only the fields it shares (404 unless addressed to me or of a case I see; audited)."""
    return referral_view.show_referral(uow(), clock(), referral_id, g.user.actor)


def _answer(referral_id: int, move: str, data: dict):
    return referral_answers.answer_referral(uow(), clock(), referral_id, g.user.actor, move, data)


@operation("POST", "/referrals/<referral_id>/acknowledge", tag="referrals", body=AcknowledgeBody,
           response=StepResult, errors=ANSWER_ERRORS)
@judged_by_pathway_form
def acknowledge_referral(referral_id: int, body: dict):
    """Acknowledge receipt (the provider it is addressed to)."""
    return _answer(referral_id, "acknowledge", _form_data(body))


@operation("POST", "/referrals/<referral_id>/accept", tag="referrals", body=AcceptBody, response=StepResult,
           errors=ANSWER_ERRORS)
@judged_by_pathway_form
def accept_referral(referral_id: int, body: dict):
    """Accept an acknowledged referral."""
    return _answer(referral_id, "decide", _form_data(body, decision="accepted"))


@operation("POST", "/referrals/<referral_id>/decline", tag="referrals", body=DeclineBody, response=StepResult,
           errors=ANSWER_ERRORS)
@judged_by_pathway_form
def decline_referral(referral_id: int, body: dict):
    """Decline an acknowledged referral with a reason."""
    return _answer(referral_id, "decide", _form_data(body, decision="declined"))


@operation("POST", "/referrals/<referral_id>/redirect", tag="referrals", body=RedirectBody, response=StepResult,
           errors=ANSWER_ERRORS)
@judged_by_pathway_form
def redirect_referral(referral_id: int, body: dict):
    """Redirect an acknowledged referral; the caseworker then sends it to another provider."""
    return _answer(referral_id, "decide", _form_data(body, decision="redirected"))


@operation("POST", "/referrals/<referral_id>/outcome", tag="referrals", body=OutcomeBody, response=StepResult,
           errors=ANSWER_ERRORS)
@judged_by_pathway_form
def report_referral_outcome(referral_id: int, body: dict):
    """Report whether the service was delivered, closing an accepted referral."""
    return _answer(referral_id, "outcome", _form_data(body))
