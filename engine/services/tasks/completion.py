"""Human tasks: complete one with form data, claim, release and reassign.

    result = complete_task(uow, clock, task_id, actor, {"field": "value"})

Completing is one step of the case (see `case_step`): the task must be visible to the actor
(else NotFound) and theirs to do (else AccessDenied); the data is checked by the task's form
(InvalidData, nothing changed); the task's `aiguillage.*` properties apply their effects (consent,
referrals); then the workflow moves on and everything commits together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from engine.access import (
    Actor,
    actor_of,
    can_claim_task,
    can_complete_task,
    can_release_task,
    can_see_task,
    can_take_over_task,
)
from engine import field_problems as problem
from engine.clock import Clock
from engine.domain import TaskState
from engine.errors import AccessDenied, CaseMovedOn, Conflict, InvalidData, NotFound
from engine.runtime import case_runtime
from engine.runtime.human_tasks import HumanTask, human_task_of
from engine.services.cases.step import Step, StepHook, StepResult, begin_step, finish_step
from engine.services.pathways.metadata import case_fields
from engine.services.accounts.actors import handover_target
from engine.services.accounts.notification_list import HANDED_BACK, offer_again
from engine.services.cases.consents import decide_override, mark_withdrawn, record_consent, request_override
from engine.pathways.form_check import carried_initial, fields_that_apply, hidden_on_page, input_limits, prefilled
from engine.pathways.form_prefill import CURRENT_USER, PrefillFacts, understood_expression
from engine.pathways.form_rules import HIDDEN_WHEN, REQUIRED_WHEN, rule_of, section_heading
from engine.pathways.forms import FieldSpec, form_spec_of
from engine.pathways.step_fields import (
    CONSENT_PROPERTY, FIELDS_OF_CONSENT_STEP, ConsentFields, OverrideDecisionFields, OverrideRequestFields,
    SendFields, WithdrawalFields,
)
from engine.services.tasks.form_data import clean_form_data, form_fields, kept_fields
from engine.services.tasks.handover import reassignable_task
from engine.services.tasks.still_open import require_open
from engine.services.cases.sync import Resolver, candidate_rows, need_fields_of
from engine.services.referrals.sharing import readable_task_data
from engine.services.referrals.steps import REFERRAL_PROPERTY, apply_referral_step
from engine.services.cases.sync import DOUALA
from engine.services.coordination.facts import record_indicator_facts
from engine.store import case_records
from engine.store.models import AuditEntry, CaseEvent, CaseRow, OutboxRow, TaskCandidate, TaskRow, User
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing



# Two people answering different tasks of one case at the same moment is normal work (two
# providers, two referrals): the step that loses the case's version check is run again on the
# case as the other left it, as long as its own task is still open and in the same hands.
STEP_RETRIES = 3


def complete_task(
    uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, data: dict | None, hook: StepHook | None = None
) -> StepResult:
    """Submit a task's form and move the case on, in one transaction (re-run if another task of the case went first)."""
    seen: list = []
    for remaining in range(STEP_RETRIES, -1, -1):
        try:
            return _complete_task(uow, clock, task_id, actor, data, hook, seen)
        except CaseMovedOn:
            # Inside a caller's transaction the case cannot be re-read here: the caller decides.
            if remaining == 0 or uow.in_transaction:
                raise
    raise AssertionError("unreachable")


def _complete_task(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, data: dict | None,
                   hook: StepHook | None, seen: list) -> StepResult:
    with uow:
        connection = lock_for_writing(uow)
        rows, loaded = case_records.task_siblings_and_case(connection, task_id)
        row = next((r for r in rows if r.id == task_id), None)
        if row is None or not can_see_task(actor, row):
            raise NotFound(f"task {task_id} does not exist or is not yours to see")
        require_open(row, "; reload your task list")
        if seen and seen[0] != row.assignee_id:
            raise Conflict(f"task {row.name} changed hands in the meantime; reload your task list")
        seen[:] = [row.assignee_id]
        if not can_complete_task(actor, row):
            raise AccessDenied(f"task {row.name} is assigned to someone else; ask a supervisor to reassign it")
        step = begin_step(uow, clock, row.case_id, actor, "task_completed", completed_task=row, open_tasks=rows,
                          loaded=loaded)
        task = _ready_task(step.workflow, row)
        cleaned = clean_form_data(task.form, data, task.data, today=case_today(step))
        step.details.update(_described(task, cleaned, set(data or {})))
        if row.instance_label:  # which need a per-need step served (a sector code): history lines tell them apart
            step.details["instance"] = row.instance_label
        _apply_effects(step, task, cleaned)
        _update_case_facts(step, cleaned)
        record_indicator_facts(step, task.form, cleaned)
        failures = case_runtime.complete_task(step.workflow, row.id, cleaned)
        return finish_step(step, failures, hook=hook)


def visible_task(uow: UnitOfWork, task_id: str, actor: Actor) -> TaskRow:
    """The task row if the actor may see it; NotFound otherwise (its existence is not disclosed)."""
    row = uow.session.get(TaskRow, task_id)
    if row is None or not can_see_task(actor, row):
        raise NotFound(f"task {task_id} does not exist or is not yours to see")
    return row


def _ready_task(workflow, row: TaskRow) -> HumanTask:
    task = case_runtime.find_task(workflow, row.id)
    if not task.task_spec.manual:
        raise Conflict(f"task {row.name} is not a human task")
    return human_task_of(task, workflow.script_engine)


def _described(task: HumanTask, cleaned: dict, submitted: set[str]) -> dict:
    """What the history keeps of a submission: the fields given, and the values of those the pathway
    marks `aiguillage.history = keep` (choices that steer the case, never identity or free text)."""
    kept = kept_fields(task.form)
    given = sorted(name for name in cleaned if name in submitted)
    return {
        "task_id": task.id,
        "fields": given,
        "values": {k: cleaned[k] for k in given if k in kept},
    }


def _apply_effects(step, task: HumanTask, cleaned: dict) -> None:
    # Each consent step reads its form's fields under the names the step gives (`engine.pathways.step_fields`).
    kind = FIELDS_OF_CONSENT_STEP.get(task.properties.get(CONSENT_PROPERTY) or "")
    fields = kind.declared(task.properties) if kind is not None else None
    if isinstance(fields, ConsentFields):
        record_consent(step, cleaned, task.data, fields)
    elif isinstance(fields, OverrideRequestFields):
        request_override(step, cleaned, task.data, fields)
    elif isinstance(fields, OverrideDecisionFields):
        decide_override(step, cleaned, fields)
    elif isinstance(fields, WithdrawalFields):
        mark_withdrawn(step, cleaned.get(fields.note))
    if task.properties.get(REFERRAL_PROPERTY):
        apply_referral_step(step, task, cleaned)


def _update_case_facts(step: Step, cleaned: dict) -> None:
    from engine.services.cases.alias import alias_key
    from engine.services.cases.summary import summary_rule

    case = step.case
    # The fields the pathway names for the case's own facts (`case_fields:` of pathway.yaml), from any form.
    for column, value in case_fields(step.session, case.pathway_version_id, step.content_hash).facts_of(cleaned).items():
        setattr(case, column, value)
    alias_field = summary_rule(step.session, case.pathway_version_id, step.content_hash).rule.alias
    if alias_field and alias_field in cleaned:
        case.alias_key = alias_key(cleaned[alias_field])


# ---- assignment -------------------------------------------------------------------------------


def claim_task(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor) -> None:
    """Take an unassigned task offered to one of your groups; Conflict if someone was faster."""
    with uow:
        lock_for_writing(uow)
        row = visible_task(uow, task_id, actor)
        if not can_claim_task(actor, row):
            raise Conflict(f"task {row.name} is already assigned or no longer open")
        _assign(uow, clock, row, actor, actor.id, "task_claimed", expected_assignee=None)


def release_task(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor) -> None:
    """Give a task you hold back to its groups."""
    with uow:
        lock_for_writing(uow)
        row = visible_task(uow, task_id, actor)
        if row.state != TaskState.OPEN or row.assignee_id != actor.id:
            raise Conflict(f"task {row.name} is not assigned to you")
        if not can_release_task(actor, row):
            raise Conflict(f"task {row.name} is offered to no group, so nobody would find it handed back; "
                           "a supervisor can hand it to someone else")
        _assign(uow, clock, row, actor, None, HANDED_BACK, expected_assignee=actor.id)


def reassign_task(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, to_username: str) -> None:
    """A supervisor (or coordinator) gives an open task to a named user of the task's organisation."""
    with uow:
        lock_for_writing(uow)
        row = reassignable_task(uow, task_id, actor)
        target = handover_target(uow, to_username)
        if not can_take_over_task(actor_of(target), row):
            raise InvalidData(f"{to_username} is not of the organisation that must do task {row.name}",
                              {"username": [problem.not_of_task_organisation()]})
        _assign(uow, clock, row, actor, target.id, "task_reassigned", expected_assignee=row.assignee_id)


def _assign(uow, clock, row: TaskRow, actor: Actor, assignee_id: int | None, action: str, expected_assignee) -> None:
    now = clock.now()
    # A conditional update: of two people claiming at once, exactly one changes the row.
    condition = TaskRow.assignee_id.is_(None) if expected_assignee is None else TaskRow.assignee_id == expected_assignee
    changed = uow.session.execute(
        update(TaskRow)
        .where(and_(TaskRow.id == row.id, TaskRow.state == TaskState.OPEN, condition))
        .values(assignee_id=assignee_id, claimed_at=now if assignee_id is not None else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(f"task {row.name} changed in the meantime; reload your task list")
    # Candidate rows stand for "offered to a group": a held task has none, a released one gets them back.
    uow.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == row.id))
    if assignee_id is None:
        candidates = candidate_rows(row, Resolver(uow.session), held=False)
        if candidates:
            uow.session.execute(insert(TaskCandidate), candidates)
            offer_again(uow.session, row.id, actor.id, now)
    uow.session.add(
        CaseEvent(case_id=row.case_id, at=now, actor_id=actor.id, action=action, task_bpmn_id=row.bpmn_id,
                  details={"task_id": row.id, "assignee_id": assignee_id})
    )
    uow.session.add(
        AuditEntry(at=now, user_id=actor.id, action=f"case.{action}", object_type="task", object_id=row.id,
                   case_id=row.case_id, details={"assignee_id": assignee_id})
    )
    if assignee_id is not None and assignee_id != actor.id:
        reference = uow.session.get(CaseRow, row.case_id).reference
        uow.session.add(
            OutboxRow(event_type="task_assigned", case_id=row.case_id, created_at=now,
                      payload={"case_id": row.case_id, "reference": reference, "task_id": row.id, "bpmn_id": row.bpmn_id,
                               "task_name": row.name, "organisation_id": row.organisation_id, "assignee_id": assignee_id,
                               "candidate_groups": [], "due_at": row.due_at.isoformat() if row.due_at else None,
                               "referral_id": row.referral_id, "actor_id": actor.id})
        )
    uow.commit()



# ---- what a task asks for -----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInfo:
    """One field of a task's form, as a person filling it needs to know it; a read-only field carries
    the value the case holds under its name, since it is shown and never written."""

    id: str
    label: str
    type: str
    required: bool
    choices: tuple[str, ...]
    read_only: bool = False
    value: Any = None  # only for a read-only field
    initial: Any = None  # the value carried from the case (`aiguillage.default_from`), shown filled in
    # What the page fills in from the field's `${currentUser()}`/`${now()}`/`${today()}` default, for this
    # person now (`engine.pathways.form_prefill`); unlike `initial`, an empty submission does not take it.
    prefill: Any = None
    required_when: str | None = None  # the pathway's condition that makes the field required
    choice_labels: tuple[str, ...] = ()  # the options' labels as drawn, in the order of `choices`
    limits: tuple[tuple[str, str], ...] = ()  # (min/max/minlength/maxlength/pattern, value) as drawn
    # What a browser can check before sending (maxlength, min, max), "today" as the case's day, the
    # engine's earliest date where the pathway sets none (`engine.pathways.form_check.input_limits`).
    input_limits: tuple[tuple[str, str], ...] = ()
    hidden: bool = False  # not shown now: its condition (`aiguillage.hidden_when`) holds over the case's and the form's values
    hidden_when: str | None = None  # that condition, in the safe language
    widget: str | None = None  # how the form draws it, where the type leaves a choice (textarea, checklist, taglist)
    # The heading of the form section this field opens, as drawn (None: it continues the current one).
    section: str | None = None
    # Whether the field applies (`fields_that_apply`): None while its `required_when` does not hold over
    # this form's answers or cannot be decided yet (shown with its condition in words, not required);
    # False when the case's own values say it is not needed now (an ordinary optional field).
    applies: bool | None = True


@dataclass(frozen=True)
class TaskForm:
    """A task's form, and for a referral step the providers that may receive it."""

    task_id: str
    bpmn_id: str
    name: str
    fields: tuple[FieldInfo, ...]
    providers: tuple = ()  # ProviderChoice, ranked, for `aiguillage.referral = send` tasks
    matching: object = None  # Finding: how many providers fit, or why none does
    # What submitting does, as the pathway marks it: "referral.send", "consent.record", "escalation"...
    purpose: str | None = None
    earlier: tuple = ()  # EarlierReferral: how the need's earlier referrals ended, for a send step
    provider_field: str | None = None  # a send step's field naming the provider (`SendFields`), chosen among `providers`


def task_purpose(properties: dict) -> str | None:
    """What a task's submit does, from the marks the pathway puts on it (None for an ordinary step)."""
    for mark, name in ((REFERRAL_PROPERTY, "referral"), (CONSENT_PROPERTY, "consent")):
        if properties.get(mark):
            return f"{name}.{properties[mark]}"
    if properties.get("aiguillage.escalation"):
        return "escalation"
    return None


def describe_task(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, submitted: dict | None = None) -> TaskForm:
    """The form of an open task visible to the actor (read-only); `submitted`: what a refused submission
    held, which decides which fields apply."""
    with uow:
        row = visible_task(uow, task_id, actor)
        require_open(row)
        step = begin_step(uow, clock, row.case_id, actor, "read")
        task = _ready_task(step.workflow, row)
        matching, earlier = send_step_facts(step, task)
        data = readable_task_data(step, actor, task)
        today = case_today(step)
        prefills = form_prefills(step, task.form)
    spec = form_spec_of(task.form)
    hidden = hidden_on_page(task.form, data, submitted, prefills)
    applying = fields_that_apply(task.form, submitted, data)
    limits = input_limits(task.form, today)
    fields = tuple(_field_info(f, data, spec.field(f.id) if spec else None, f.id in hidden, applying.get(f.id, True),
                               tuple(limits.get(f.id, {}).items()), prefills.get(f.id))
                   for f in form_fields(task.form))
    if matching is None:
        return TaskForm(row.id, row.bpmn_id, row.name, fields, purpose=task_purpose(task.properties))
    return TaskForm(row.id, row.bpmn_id, row.name, fields, matching.providers, matching.summary,
                    purpose=task_purpose(task.properties), earlier=earlier,
                    provider_field=SendFields.declared(task.properties).provider)


def send_step_facts(step: Step, task: HumanTask) -> tuple[Any, tuple]:
    """For a referral send step, the providers ranked for its need (a ranking: `.providers`, `.summary`)
    and the need's earlier referrals (EarlierReferral); (None, ()) for any other step. Every view of a
    task's form (page, command line, API) reads them here, shown to whoever may see the task."""
    from engine.services.directory.referral_step import rank_for_task
    from engine.services.referrals.earlier import earlier_referrals

    if task.properties.get(REFERRAL_PROPERTY) != "send":
        return None, ()
    needs = need_fields_of(step)
    return (rank_for_task(step.session, task, needs, step.case.region, step.now.date(), step.referrals),
            earlier_referrals(step.session, task, needs, step.referrals))


def case_today(step: Step):
    """The day it is for the case, in its calendar (Africa/Douala): what a form's "today" means."""
    return case_moment(step).date()


def case_moment(step: Step):
    """The step's time as the case's clock on the wall reads it (Africa/Douala)."""
    return step.now.astimezone(DOUALA)


def form_prefills(step: Step, form: Any) -> dict[str, Any]:
    """What the task's form fills in for the step's actor now, by field id: its understood expression
    defaults (`engine.pathways.form_prefill`), the case's day and time in Africa/Douala from the step's
    clock, the actor's display name read only when a field asks for it."""
    spec = form_spec_of(form)
    asked = [field for field in spec.fields if understood_expression(field)] if spec is not None else []
    if not asked:
        return {}
    name = None
    if step.actor is not None and any(understood_expression(field) == CURRENT_USER for field in asked):
        name = step.session.scalar(select(User.display_name).where(User.id == step.actor.id))
    facts = PrefillFacts(name, case_moment(step))
    found = {field.id: prefilled(field, facts) for field in asked}
    return {field_id: value for field_id, value in found.items() if value is not None}


def _field_info(field, data: dict[str, Any], spec: FieldSpec | None, hidden: bool = False,
                applies: bool | None = True, browser_limits: tuple[tuple[str, str], ...] = (),
                prefill: Any = None) -> FieldInfo:
    rules = {rule.name for rule in getattr(field, "validation", []) or []}
    read_only = "readonly" in rules
    initial = carried_initial(spec, data) if spec is not None and not read_only else None
    return FieldInfo(
        id=field.id,
        label=field.label or field.id,
        type=field.type or "string",
        required="required" in rules,
        choices=tuple(option.id for option in getattr(field, "options", []) or []),
        read_only=read_only,
        value=data.get(field.id) if read_only else None,
        initial=initial,
        prefill=None if read_only else prefill,
        required_when=(rule_of(spec, REQUIRED_WHEN) or None) if spec is not None else None,
        choice_labels=tuple(option.name or option.id for option in getattr(field, "options", []) or []),
        limits=tuple((rule.name, str(rule.config)) for rule in getattr(field, "validation", []) or []
                     if rule.name in ("min", "max", "minlength", "maxlength", "pattern") and rule.config is not None),
        input_limits=browser_limits,
        hidden=hidden,
        hidden_when=(rule_of(spec, HIDDEN_WHEN) or None) if spec is not None else None,
        widget=(spec.properties.get("widget") or None) if spec is not None else None,
        section=section_heading(spec) if spec is not None else None,
        applies=applies,
    )
