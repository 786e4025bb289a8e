"""Referral steps drawn by an author: each has a known move and a need {sector, urgency} to serve.

`expire` marks no task but an interrupting boundary timer on the step (or sub-process) that waits
for the provider's answer: when it fires, the referral of its need expires. Anywhere else it would
either never fire or leave the provider's step open on an ended referral, so it is refused there.
`withdraw` likewise marks an interrupting boundary event, one the pathway throws itself (an
escalation or error end event drawn after an answer such as a coordinator's "reassigned"): when it is
caught, the referral is withdrawn from its provider. On a timer it would be an expiry by another name,
so it is refused there too.

`engine.pathways.need_fields` finds the need at run time: the item of a multi-instance activity the step
sits in, or the case's `need` or `sector`/`urgency` variables, under the names pathway.yaml's
`need_fields:` gives them. Without either, the send would fail at run time; validation says so first,
and how to draw it, in the pathway's names.

A `decide`, `outcome` or `unmet` step's form must have the fields the step names for what the engine
reads from it (`engine.pathways.step_fields`): the decision, whether the service was delivered
and why the need is left unmet always (the named field, else today's name), the others when named;
each of the type the engine reads. A decision the engine cannot read would refuse every answer, an
outcome without its field would report every service as not delivered, and an unmet step without
its reason could never record the need as unmet.
"""

from __future__ import annotations

import re

from engine.domain import UnmetReason
from engine.pathways.documents import BPMN_NS, Document, extension, extension_children, local, text_of
from engine.pathways.escalation_paths import EXPIRE_MOVE, WITHDRAW_MOVE, is_timer, property_of
from engine.pathways.step_fields import (
    APPOINTMENT_PROPERTY, DECIDE_MOVE, DECISION_PROPERTY, DECISION_VALUES, DECLINE_REASON_PROPERTY, DELIVERED_PROPERTY,
    OUTCOME_MOVE, OUTCOME_NOTE_PROPERTY, UNMET_MOVE, UNMET_NOTE_PROPERTY, UNMET_REASON_PROPERTY,
    OutcomeFields, UnmetFields, declared_properties, decision_fields,
)
from engine.pathways.need_fields import NeedFields, need_fields_of
from engine.pathways.problems import Problem
from engine.pathways.rules.step_fields import FormCheck, form_check

REFERRAL_PROPERTY = "aiguillage.referral"
MOVES = ("send", "acknowledge", DECIDE_MOVE, OUTCOME_MOVE, UNMET_MOVE, EXPIRE_MOVE, WITHDRAW_MOVE)


def check_referral_steps(documents: list[Document], checked: set[str], metadata: dict) -> list[Problem]:
    """Errors for referral steps with an unknown move, without a need, or answering a referral never sent
    (`metadata`: pathway.yaml, whose `need_fields:` names the need's variables)."""
    needs = need_fields_of(metadata)
    problems = []
    for document in documents:
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            steps = [(element, (property_of(element, REFERRAL_PROPERTY) or "").strip()) for element in process.iter()
                     if isinstance(element.tag, str) and property_of(element, REFERRAL_PROPERTY) is not None]
            if not steps:
                continue
            needs_from_data = _process_gives_need(process, needs)
            sends = any(move == "send" for _, move in steps)
            for element, move in steps:
                problems += _check_step(document, element, move, needs, needs_from_data, sends)
                if move in (DECIDE_MOVE, OUTCOME_MOVE, UNMET_MOVE) and local(element) == "userTask":
                    problems += _check_step_form(document, element, move)
    return problems


def _check_step_form(document: Document, task, move: str) -> list[Problem]:
    """The fields a decide, outcome or unmet step reads its answer from are in its form, and can hold it."""
    check = form_check(document, task, declared_properties(task, move))
    if check is None:
        return []
    checks = {DECIDE_MOVE: _check_decision_form, OUTCOME_MOVE: _check_outcome_form, UNMET_MOVE: _check_unmet_form}
    return checks[move](check)


def _check_decision_form(check: FormCheck) -> list[Problem]:
    fields = decision_fields(check.declared)
    return [
        *check.absent(fields.decision, (
            f"this decide step's form has no field {fields.decision!r} to hold the decision (accepted, declined or "
            f"redirected); add it, or name the form field that holds it with {DECISION_PROPERTY}")),
        *check.options(fields.decision, "the decision", DECISION_VALUES),
        *check.unknown(fields.decline_reason, DECLINE_REASON_PROPERTY,
                       "name the form field whose option says why the referral was declined"),
        *(check.unknown(fields.appointment, APPOINTMENT_PROPERTY, "name the form field that holds the appointment's date")
          or check.typed(fields.appointment, "the appointment's date", "date")),
    ]


def _check_outcome_form(check: FormCheck) -> list[Problem]:
    fields = OutcomeFields.declared(check.declared)
    return [
        *(check.absent(fields.delivered, (
            f"this outcome step's form has no field {fields.delivered!r} to hold whether the service was delivered; "
            f"add it (a boolean), or name the form field that holds it with {DELIVERED_PROPERTY}"))
          or check.typed(fields.delivered, "whether the service was delivered", "boolean")),
        *(check.unknown(fields.note, OUTCOME_NOTE_PROPERTY, "name the form field that holds the note on the outcome")
          or check.typed(fields.note, "the note on the outcome", "string")),
    ]


def _check_unmet_form(check: FormCheck) -> list[Problem]:
    fields = UnmetFields.declared(check.declared)
    reasons = tuple(UnmetReason)
    return [
        *(check.absent(fields.reason, (
            f"this unmet step's form has no field {fields.reason!r} to hold why the need is left unmet (left empty, "
            f"the need is sent on); add it, or name the form field that holds it with {UNMET_REASON_PROPERTY}"))
          or check.typed(fields.reason, "why the need is left unmet", "enum")
          or check.options(fields.reason, "why the need is left unmet", reasons)),
        *(check.unknown(fields.note, UNMET_NOTE_PROPERTY, "name the form field that holds the note on the unmet need")
          or check.typed(fields.note, "the note on the unmet need", "string")),
    ]


def _check_step(document: Document, element, move: str, needs: NeedFields, needs_from_data: bool,
                sends: bool) -> list[Problem]:
    if move not in MOVES:
        return [document.problem(element, "referral.unknown_move", (
            f"{REFERRAL_PROPERTY} is {move!r}; it must be one of {', '.join(MOVES)}"))]
    if move == EXPIRE_MOVE and not is_timer(element):
        return [document.problem(element, "referral.expire_not_timer", (
            f"{REFERRAL_PROPERTY} = {EXPIRE_MOVE} ends a referral when a timer fires, but this {local(element)} is no "
            "timer; put it on an interrupting boundary timer attached to the step (or sub-process) that waits for "
            "the provider's answer"))]
    if move == EXPIRE_MOVE and element.get("cancelActivity") == "false":
        return [document.problem(element, "referral.expire_not_interrupting", (
            f"this timer is non-interrupting, so the provider's step would stay open on a referral "
            f"{REFERRAL_PROPERTY} = {EXPIRE_MOVE} has ended; make it interrupting (cancelActivity true, the "
            "Modeler's \"Interrupting\" box)"))]
    if move == WITHDRAW_MOVE:
        problem = _check_withdrawal(document, element)
        if problem is not None:
            return [problem]
    if not (needs_from_data or _inside_multi_instance_over_a_list(element)):
        return [document.problem(element, "referral.no_need", (
            f"this {move} step serves no need: a referral needs a sector and an urgency. Either draw it inside a "
            f"multi-instance sub-process over the case's needs (camunda:collection=\"{needs.needs}\", "
            f"camunda:elementVariable=\"{needs.need}\", each need {{{needs.sector}, {needs.urgency}}}), or ask for "
            "them in an earlier form (fields with these ids; the sector takes the directory's sector codes, e.g. "
            "health)"))]
    if move != "send" and not sends:
        return [document.problem(element, "referral.never_sent", (
            f"this {move} step answers a referral, but no step of the process sends one; "
            f"mark the sending task with {REFERRAL_PROPERTY} = send"))]
    return []


def _check_withdrawal(document: Document, element) -> Problem | None:
    if is_timer(element):
        return document.problem(element, "referral.withdraw_on_timer", (
            f"a timer that ends a referral makes it expire: write {REFERRAL_PROPERTY} = {EXPIRE_MOVE} on it; "
            f"{WITHDRAW_MOVE} is for a boundary event catching what the pathway throws (an escalation or error end "
            "event after the answer that withdraws the referral)"))
    if local(element) != "boundaryEvent":
        return document.problem(element, "referral.withdraw_not_boundary", (
            f"{REFERRAL_PROPERTY} = {WITHDRAW_MOVE} ends a referral when a boundary event catches what the pathway "
            f"throws, but this {local(element)} is no boundary event; put it on an interrupting boundary event "
            "(escalation or error) attached to the step (or sub-process) that waits for the provider's answer"))
    if element.get("cancelActivity") == "false":
        return document.problem(element, "referral.withdraw_not_interrupting", (
            f"this boundary event is non-interrupting, so the provider's step would stay open on a referral "
            f"{REFERRAL_PROPERTY} = {WITHDRAW_MOVE} has ended; make it interrupting (cancelActivity true, the "
            "Modeler's \"Interrupting\" box)"))
    return None


def _inside_multi_instance_over_a_list(element) -> bool:
    """True when the step sits in a multi-instance over a collection, whose items may be needs {sector, urgency}
    (what they hold is the case's data, known at run time only). One that runs a number of times (loop
    cardinality) has no item, so no need."""
    current = element
    while current is not None:
        marker = current.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics")
        if marker is not None and (extension(marker, "collection") or "").strip():
            return True
        current = current.getparent()
    return False


def _process_gives_need(process, needs: NeedFields) -> bool:
    """True when some form field, output or script of the process sets the need's sector or the need."""
    named = (needs.sector, needs.need)
    assigns_need = re.compile(rf"^\s*({'|'.join(map(re.escape, named))})\s*=[^=]", re.M)
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        if local(element) == "userTask" and (extension(element, "formKey") or extension(element, "formRef")):
            return True  # a Camunda Form may ask for it: its keys are checked with the form
        for field in extension_children(element, "formData/formField"):
            if field.get("id") in named:
                return True
        for output in extension_children(element, "inputOutput/outputParameter"):
            if output.get("name") in named:
                return True
        if local(element) == "script" and assigns_need.search(text_of(element)):
            return True
    return False
