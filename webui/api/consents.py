"""API routes: record a case's consent at its consent step, and withdraw consent at any time."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from engine.services.cases import listing as case_list

from engine.services.cases import consents

from engine.services.referrals import answers as referral_answers
from webui.api.operations import operation
from webui.api.schemas import SHORT_TEXT, FormValue, StepResult
from webui.request_scope import clock, uow
from webui.untrusted_input import judged_by_pathway_form


class RecordConsentBody(Schema):
    """The consent step's form: whether consent was given, by whom, how, in which language, for what scope."""

    consent_given = FormValue("boolean", required=True)
    data = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)), values=fields.Raw(allow_none=True),
                       load_default=dict,
                       metadata={"description": "the other fields of the pathway's consent form "
                                                "(consent_given_by, consent_method, consent_language, consent_scope...)"})


class WithdrawConsentBody(Schema):
    """Withdraw the case's consent; pending referrals are revoked."""

    reason = fields.String(validate=validate.Length(max=SHORT_TEXT),
                           metadata={"description": "kept on the consent only, never in history or messages"})


@operation("POST", "/cases/<case_id>/consents", tag="consents", body=RecordConsentBody, response=StepResult,
           errors=(403, 409))
@judged_by_pathway_form
def record_consent(case_id: int, body: dict):
    """Record consent (or its refusal) at the case's consent step (409 if the case is not at that step)."""
    data = {**body["data"], "consent_given": body["consent_given"]}
    return referral_answers.complete_consent_step(uow(), clock(), case_id, g.user.actor, "record", data)


@operation("POST", "/cases/<case_id>/consents/withdraw", tag="consents", body=WithdrawConsentBody,
           response=StepResult, errors=(403, 409))
def withdraw_consent(case_id: int, body: dict):
    """Withdraw the case's consent: its pending referrals are revoked and the pathway is told."""
    case_list.visible_case(uow(), case_id, g.user.actor)
    return consents.withdraw_consent(uow(), clock(), case_id, g.user.actor, body.get("reason"))
