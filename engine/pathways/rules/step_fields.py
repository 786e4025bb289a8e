"""The fields a marked step reads its answer from are in its form, and can hold it.

A consent step, an escalation task, a send or an acknowledge step names the fields the engine reads from its form
(`engine.pathways.step_fields`), else today's names stand. An escalation task is one marked
``aiguillage.escalation``, or one an escalation timer opens, drawn the Camunda way
(`engine.pathways.escalation_paths`): both are checked alike. A field the engine always reads (whether
consent was given, the provider a referral goes to...) must be in the form, named or not: without it
every answer would be refused or misread. Any other field must be in the form when the step names
it. Where the form has the field, it must be of a type that holds what the engine reads, and an
enum's options must be values the engine takes. Each problem names the step and the field.

The decide, outcome and unmet steps have checks of their own, through the same helpers
(`engine.pathways.rules.referrals`).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.pathways.documents import Document, extension, local
from engine.pathways.escalation_paths import escalation_tasks
from engine.pathways.forms import FormSpec, form_spec_from_bpmn
from engine.pathways.groups import rules_of
from engine.pathways.problems import Problem
from engine.pathways.step_fields import (
    DECIDE_MOVE, FIELDS_OF_MOVE, OUTCOME_MOVE, UNMET_MOVE, FieldRole, StepFields, drawn_properties, kind_of,
)

# The referral moves whose forms `rules.referrals` checks with its own words.
_CHECKED_AS_REFERRALS = frozenset(FIELDS_OF_MOVE[move] for move in (DECIDE_MOVE, OUTCOME_MOVE, UNMET_MOVE))


@dataclass(frozen=True)
class FormCheck:
    """One step's form and the field properties drawn on it, with the problems its fields can have."""

    document: Document
    task: object
    form: FormSpec
    declared: dict[str, str]

    def unknown(self, field: str, property_name: str, fix: str) -> list[Problem]:
        """A problem when the step names, with `property_name`, a field its form does not have."""
        if property_name not in self.declared or self.form.field(field) is not None:
            return []
        return [self.document.problem(self.task, "form.referral_field_missing", (
            f"{property_name} names {field!r}, which is no field of this step's form; {fix}"))]

    def absent(self, field: str, message: str) -> list[Problem]:
        """A problem when the form lacks a field the step always reads (the one named, or today's name)."""
        if self.form.field(field) is not None:
            return []
        return [self.document.problem(self.task, "form.referral_field_missing", message)]

    def typed(self, field: str, holds: str, *expected: str) -> list[Problem]:
        """A problem when the field, where the form has it, is of none of the types the engine reads."""
        found = self.form.field(field)
        if found is None or found.type in expected:
            return []
        if len(expected) > 1:
            fix = f"make it a field of type {' or '.join(expected)}"
        else:
            fix = f"make it {'an' if expected[0][0] in 'aeiou' else 'a'} {expected[0]} field"
        return [self.document.problem(self.task, "form.referral_field_type", (
            f"field {field!r} holds {holds}, but it is of type {found.type}; {fix}"))]

    def options(self, field: str, holds: str, accepted: tuple[str, ...]) -> list[Problem]:
        """A problem for each option of the field that the engine would refuse."""
        found = self.form.field(field)
        return [self.document.problem(self.task, "form.referral_field_type", (
            f"field {field!r} holds {holds}, but its option {value.id!r} is none of {', '.join(accepted)}, so the "
            "engine would refuse it; give the options these ids")) for value in (found.values if found else ())
            if value.id not in accepted]


def form_check(document: Document, task, properties: dict[str, str]) -> FormCheck | None:
    """The check of a step's form (None for a Camunda Form that could not be read: its own problem says why)."""
    form = form_spec_from_bpmn(task)
    if not form.fields and (extension(task, "formKey") or extension(task, "formRef")):
        return None
    return FormCheck(document, task, form, properties)


def check_step_forms(documents: list[Document], checked: set[str], metadata: dict | None = None) -> list[Problem]:
    """Problems of the fields the consent steps, escalation tasks, send and acknowledge steps of the checked
    processes read."""
    problems = []
    rules = rules_of(metadata or {})
    for document in documents:
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            opened_by_timers = escalation_tasks(process, rules)
            for task in process.iter():
                if not isinstance(task.tag, str) or local(task) != "userTask":
                    continue
                properties = drawn_properties(task)
                kind = kind_of(properties, escalation_task=task.get("id") in opened_by_timers)
                if kind is None or kind in _CHECKED_AS_REFERRALS:
                    continue
                check = form_check(document, task, properties)
                if check is not None:
                    problems += _check_roles(check, kind)
    return problems


def _check_roles(check: FormCheck, kind: type[StepFields]) -> list[Problem]:
    fields = kind.declared(check.declared)
    problems = []
    for attribute, role in kind.ROLES.items():
        field, property_name = getattr(fields, attribute), kind.property_of(attribute)
        missing = (check.absent(field, (
            f"this step's form has no field {field!r} to hold {role.holds}; add it, or name the form field that holds "
            f"it with {property_name}")) if role.always
            else check.unknown(field, property_name, f"name the form field that holds {role.holds}"))
        problems += missing or check.typed(field, role.holds, *role.types) or _options(check, field, role)
    return problems


def _options(check: FormCheck, field: str, role: FieldRole) -> list[Problem]:
    found = check.form.field(field)
    if not role.options or found is None or found.type != "enum":
        return []
    return check.options(field, role.holds, role.options)
