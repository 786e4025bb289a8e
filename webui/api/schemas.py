"""What the API accepts and answers, as marshmallow schemas (the OpenAPI document is generated from them)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.pathways.forms import FIELD_TYPES

from engine.domain import CaseStatus, CloseReason, ConsentGiver, ConsentMethod, Language, Priority, ReferralState, RiskLevel, Role, Sector, UnmetReason
from webui.api.operations import Page

SHORT_TEXT = 200
LONG_TEXT = 2000


class FormValue(fields.Raw):
    """A field of the pathway's form, passed on as sent: the task's form check alone judges its value,
    so that it gets the same answer as through /tasks/{task_id}/complete."""

    default_error_messages = {"required": "required"}  # the form check's word for it

    def __init__(self, json_type: str, json_format: str | None = None, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault("metadata", {"description": "checked by the pathway's form of this step"})
        super().__init__(**kwargs)
        # What the OpenAPI document says the form expects (see json_schema).
        self.json_schema = {"type": json_type, **({"format": json_format} if json_format else {})}


def _one_of(enum) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


def page_of(name: str, key: str, item: type[Schema]) -> type[Schema]:
    """A page of items under `key`, with the limit and offset that produced it."""
    return Schema.from_dict(
        {key: fields.List(fields.Nested(item)), "limit": fields.Integer(), "offset": fields.Integer()}, name=name
    )


class ListQuery(Page):
    """A page of a list."""


# ---- cases ---------------------------------------------------------------------------------


class CaseQuery(Page):
    """Which cases to list."""

    status = fields.String(validate=_one_of(CaseStatus))


class OpenCaseBody(Schema):
    """Open a case on the latest published version of a pathway."""

    pathway_id = fields.String(required=True, validate=validate.Length(1, 100))


class OpenedCase(Schema):
    """A case just opened, and its first tasks."""

    id = fields.Integer()
    reference = fields.String()
    pathway_id = fields.String()
    pathway_version = fields.Integer()
    stage = fields.String(allow_none=True)
    open_task_ids = fields.List(fields.String())
    failures = fields.List(fields.String())


class CaseFacts(Schema):
    """What every view of a case says about it (no personal data)."""

    id = fields.Integer()
    reference = fields.String()
    status = fields.String(validate=_one_of(CaseStatus))
    stage = fields.String(allow_none=True)
    priority = fields.String(validate=_one_of(Priority))
    risk_level = fields.String(allow_none=True, validate=_one_of(RiskLevel))
    region = fields.String(allow_none=True)
    organisation_id = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    needs_attention = fields.Boolean()


class CaseSummary(CaseFacts):
    """A case in a list (no personal data)."""

    updated_at = fields.DateTime()


class TaskSummary(Schema):
    """An open task in an inbox or on a case."""

    id = fields.String()
    case_id = fields.Integer()
    case_reference = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    stage = fields.String(allow_none=True)
    priority = fields.String(validate=_one_of(Priority))
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    assignee_id = fields.Integer(allow_none=True)
    candidate_groups = fields.List(fields.String())
    instance_label = fields.String(allow_none=True)
    referral_id = fields.Integer(allow_none=True)


class CaseReferral(Schema):
    """A referral as its case shows it."""

    id = fields.Integer()
    sector = fields.String(validate=_one_of(Sector))
    priority = fields.String(validate=_one_of(Priority))
    provider = fields.String(allow_none=True)
    state = fields.String(validate=_one_of(ReferralState))
    sent_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    outcome_at = fields.DateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)


class CaseConsent(Schema):
    """A consent (or refusal) recorded on a case."""

    id = fields.Integer()
    given = fields.Boolean()
    given_by = fields.String(validate=_one_of(ConsentGiver))
    method = fields.String(validate=_one_of(ConsentMethod))
    scope_services = fields.List(fields.String())
    scope_recipients = fields.List(fields.Raw())
    recorded_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)


class CaseUnmetNeed(Schema):
    """A need of the case that no provider will serve, and why."""

    id = fields.Integer()
    sector = fields.String(validate=_one_of(Sector))
    reason = fields.String(validate=_one_of(UnmetReason))
    region = fields.String(allow_none=True)
    referral_id = fields.Integer(allow_none=True, metadata={"description": "the need's last referral, when one was sent"})
    recorded_at = fields.DateTime()


class CaseDetail(CaseFacts):
    """A case: where it stands, its open tasks, referrals, consents and unmet needs."""

    pathway_version_id = fields.Integer()
    close_reason = fields.String(allow_none=True, validate=_one_of(CloseReason))
    attention_message = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskSummary))
    referrals = fields.List(fields.Nested(CaseReferral))
    consents = fields.List(fields.Nested(CaseConsent))
    unmet_needs = fields.List(fields.Nested(CaseUnmetNeed))


class CaseEvent(Schema):
    """One line of a case's history: who did what, when (sensitive values are never kept)."""

    at = fields.DateTime()
    actor = fields.String(allow_none=True, metadata={
        "description": "username; null for the system, or for someone I may not know (see actor_withheld)"})
    actor_organisation = fields.String(allow_none=True, metadata={
        "description": "the organisation of someone I may not know, where I may know it (a referral's provider)"})
    actor_withheld = fields.Boolean(metadata={"description": "true when someone acted whom I may not know by name"})
    action = fields.String()
    task_bpmn_id = fields.String(allow_none=True)
    details = fields.Dict(keys=fields.String(), values=fields.Raw())


CaseList = page_of("CaseList", "cases", CaseSummary)
CaseHistory = page_of("CaseHistory", "events", CaseEvent)
TaskList = page_of("TaskList", "tasks", TaskSummary)


# ---- tasks ---------------------------------------------------------------------------------


class LanguageQuery(Schema):
    """The language of labels, when not the caller's own."""

    language = fields.String(validate=_one_of(Language))


class FormOption(Schema):
    """One choice of an enum field."""

    id = fields.String()
    label = fields.String()


class FormField(Schema):
    """One field of a task's form, labelled in the caller's language."""

    id = fields.String()
    type = fields.String(validate=validate.OneOf(list(FIELD_TYPES)), metadata={
        "description": "enum_list takes a list of option ids; time is HH:MM; datetime is YYYY-MM-DDTHH:MM"})
    label = fields.String()
    required = fields.Boolean()
    constraints = fields.Dict(keys=fields.String(), values=fields.Raw(),
                              metadata={"description": "minlength, maxlength, min, max, pattern (a regular expression the whole text matches), readonly"})
    options = fields.List(fields.Nested(FormOption))
    required_when = fields.String(allow_none=True, metadata={
        "description": "the pathway's condition over this form's fields under which the field must be filled"})
    initial = fields.Raw(allow_none=True, metadata={
        "description": "the value carried from an earlier step, taken when the field is left empty"})
    prefill = fields.Raw(allow_none=True, metadata={
        "description": "the value the task page fills in for the caller, from the pathway's ${currentUser()}, ${now()} "
                       "or ${today()} default: the caller's display name (not their username), the case's day "
                       "(YYYY-MM-DD) or time in Africa/Douala; send it, kept or changed, like any value: a field left "
                       "empty does not take it (null: nothing filled in; the page shows initial first)"})
    hidden = fields.Boolean(metadata={"description": "not shown for the case's values now; a value sent for it is set aside"})
    hidden_when = fields.String(allow_none=True, metadata={
        "description": "the pathway's condition (safe language) over the case's and this form's values that hides the field"})
    widget = fields.String(allow_none=True, metadata={"description": "textarea, checklist or taglist"})
    section = fields.String(allow_none=True, metadata={
        "description": "the heading of the form section this field opens (the fields that follow belong to it)"})
    applies = fields.Boolean(allow_none=True, metadata={
        "description": "true: the field applies (required, if it has required_when); null: it is needed only if "
                       "required_when comes to hold over the answers given (ask it, and say when it is needed); "
                       "false: the case's values say it is not needed now (optional)"})
    input_limits = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={
        "description": "what a client can check before sending, as the task page's inputs do: maxlength (a whole "
                       "number) of a text field, min and max (ISO dates, YYYY-MM-DD) of a date field, with today "
                       "as the case's day in Africa/Douala and the earliest date accepted where the pathway sets "
                       "no min; constraints keeps the pathway's declaration as written (e.g. max: today)"})


class MatchFinding(Schema):
    """One reason or warning about a provider: a stable code, its parameters, and the English text."""

    code = fields.String()
    text = fields.String()
    params = fields.Dict(keys=fields.String(), values=fields.Raw())


class ProviderChoice(Schema):
    """A provider the referral step may send to (give its `slug` in the task's `provider_field`), ranked best first.
    One with `failures` needs a reason (the step's reason field); a `refused` one cannot receive it."""

    rank = fields.Integer()
    organisation_id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    service_id = fields.String(metadata={"description": "the HSDS service id"})
    service_name = fields.String()
    languages = fields.List(fields.String())
    capacity = fields.Integer(allow_none=True)
    capacity_available = fields.Integer(allow_none=True)
    agreements_signed = fields.Boolean()
    region_distance = fields.Integer(allow_none=True, metadata={
        "description": "region borders between the person's region and the nearest the service serves "
                       "(0: serves it; null: unknown)"})
    refused = fields.Boolean()
    needs_reason = fields.Boolean()
    reasons = fields.List(fields.Nested(MatchFinding))
    warnings = fields.List(fields.Nested(MatchFinding))
    failures = fields.List(fields.Nested(MatchFinding))


class EarlierAnswer(Schema):
    """One thing a provider wrote with its decision, as codes beside the pathway's words."""

    field = fields.String(metadata={"description": "the decision form's field id"})
    label = fields.String(metadata={"description": "that field's label"})
    value = fields.Raw(allow_none=True, metadata={"description": "as stored: an option id, a yes/no, a number, a text"})
    value_label = fields.String(allow_none=True, metadata={
        "description": "an option's label (several joined by commas), a text as written; null for a yes/no or a number"})


class EarlierReferral(Schema):
    """An earlier referral of the need a send step is for: to whom, how and when it ended, why."""

    referral_id = fields.Integer()
    provider = fields.String(allow_none=True, metadata={"description": "the organisation's name"})
    state = fields.String(validate=_one_of(ReferralState))
    ended_at = fields.DateTime(allow_none=True, metadata={"description": "decided, or closed (expired, withdrawn)"})
    decline_reason = fields.String(allow_none=True, metadata={"description": "the decision form's option id"})
    decline_reason_label = fields.String(allow_none=True)
    answer = fields.List(fields.Nested(EarlierAnswer), metadata={
        "description": "what the provider wrote with its decision, e.g. the provider it suggests instead"})


class TaskDetail(Schema):
    """An open task with its form."""

    id = fields.String()
    case_id = fields.Integer()
    bpmn_id = fields.String()
    name = fields.String()
    language = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    fields_ = fields.List(fields.Nested(FormField), data_key="fields", attribute="fields")
    providers = fields.List(fields.Nested(ProviderChoice))
    matching = fields.Nested(MatchFinding, allow_none=True,
                             metadata={"description": "for a referral step: how many providers fit, or why none does"})
    earlier = fields.List(fields.Nested(EarlierReferral), metadata={
        "description": "for a referral send step: the need's earlier referrals, oldest first (empty otherwise)"})
    provider_field = fields.String(allow_none=True, metadata={
        "description": "for a referral send step: the form field that names the provider (provider_id unless the "
                       "pathway names another)"})


class CompleteTaskBody(Schema):
    """The form's values, by field id (booleans, whole numbers, ISO dates, enum option ids, text)."""

    data = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)), values=fields.Raw(allow_none=True),
                       load_default=dict)


class StepResult(Schema):
    """What a step changed."""

    case_id = fields.Integer()
    reference = fields.String()
    status = fields.String(validate=_one_of(CaseStatus))
    stage = fields.String(allow_none=True)
    new_task_ids = fields.List(fields.String())
    failures = fields.List(fields.String())
    needs_attention = fields.Boolean()
    completed = fields.Boolean()


class TaskAssignment(Schema):
    """Who holds a task now."""

    id = fields.String()
    assignee_id = fields.Integer(allow_none=True)


class ReassignBody(Schema):
    """Whom to hand it to: an active user, by username."""

    username = fields.String(required=True, validate=validate.Length(1, 100))


class TaskReassigned(Schema):
    """Who holds a task after a supervisor or coordinator handed it on."""

    id = fields.String()
    assignee = fields.String(metadata={"description": "username"})


class Me(Schema):
    """The user behind the token."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    language = fields.String()
    organisation = fields.Dict(keys=fields.String(), values=fields.Raw())
    roles = fields.List(fields.String(validate=_one_of(Role)))

