"""Form rules a pathway declares on its fields (`aiguillage.required_when`, `default_from`, `history`, `section`):
each must name fields that exist, so that a rule never silently does nothing."""

from __future__ import annotations

import difflib

from engine.errors import ExpressionError
from engine.pathways.documents import Document
from engine.pathways.form_rules import (
    DEFAULT_FROM, HIDDEN_WHEN, HISTORY, HISTORY_VALUES, REQUIRED_WHEN, SECTION, SECTION_MAX, names_in, rule_of,
)
from engine.untrusted_values import CONTROL_CHARACTERS
from engine.pathways.forms import FIELD_ID, FieldSpec, FormSpec, form_spec_from_bpmn
from engine.pathways.problems import Problem
from engine.pathways.rules.form_fields import form_owners


def check_form_rules(documents: list[Document], checked: set[str]) -> list[Problem]:
    """Every field rule parses and names fields of the pathway: its own form's for a condition, another
    step's for a carried value."""
    forms = [(document, owner, form_spec_from_bpmn(owner)) for document, owner in form_owners(documents, checked)]
    everywhere = {field.id for _, _, form in forms for field in form.fields if field.id}
    problems: list[Problem] = []
    for document, owner, form in forms:
        located = document.problem(owner, "form", "")
        for field in form.fields:
            for message, rule in _field_rule_problems(field, form, everywhere):
                problems.append(Problem(document.file, field.line or located.line, located.element_id,
                                        located.element_name, f"field {field.id!r}: {message}", rule))
    return problems


def _field_rule_problems(field: FieldSpec, form: FormSpec, everywhere: set[str]) -> list[tuple[str, str]]:
    found = []
    own = {other.id for other in form.fields if other.id}
    condition = rule_of(field, REQUIRED_WHEN)
    if REQUIRED_WHEN in field.properties and not condition:
        found.append((f"{REQUIRED_WHEN} is empty; write a condition over this form's fields, e.g. decision == 'declined'", "form.rule_invalid"))
    elif condition:
        found += _condition_problems(field, condition, own)
    hidden = rule_of(field, HIDDEN_WHEN)
    if hidden:
        # It may read the case's data as well as the form's fields: only its language is checked.
        try:
            from engine.expressions import check_expression

            check_expression(hidden)
        except ExpressionError as error:
            found.append((f"{HIDDEN_WHEN}: {error}", "form.rule_invalid"))
    source = rule_of(field, DEFAULT_FROM)
    if DEFAULT_FROM in field.properties and not FIELD_ID.match(source):
        found.append((f"{DEFAULT_FROM} must name one field of an earlier step (e.g. priority), not {source[:40]!r}", "form.rule_invalid"))
    elif source and (source == field.id or source not in everywhere):
        why = "its own id" if source == field.id else "not a field of any form of this pathway"
        found.append((f"{DEFAULT_FROM} names {source!r}, {why}{_suggestion(source, everywhere - {field.id})}; "
                      "name the field of an earlier step whose value it takes", "form.rule_unknown_field"))
    history = rule_of(field, HISTORY)
    if HISTORY in field.properties and history not in HISTORY_VALUES:
        found.append((f"{HISTORY}={history[:40]!r} is not understood; write {HISTORY}=keep or remove it", "form.rule_invalid"))
    elif history and field.sensitive:
        found.append((f"{HISTORY}=keep on a sensitive field: its value is never kept in the history; remove one of the two", "form.rule_invalid"))
    heading = rule_of(field, SECTION)
    if SECTION in field.properties and (not heading or len(heading) > SECTION_MAX or CONTROL_CHARACTERS.search(heading)):
        found.append((f"{SECTION} must be the section's heading as readers see it, 1 to {SECTION_MAX} characters "
                      "(e.g. Identité)", "form.rule_invalid"))
    return found


def _condition_problems(field: FieldSpec, condition: str, own: set[str]) -> list[tuple[str, str]]:
    if field.readonly:
        return [(f"{REQUIRED_WHEN} on a read-only field: nobody can fill it; remove the rule or the constraint", "form.rule_invalid")]
    try:
        from engine.expressions import check_expression

        check_expression(condition)
        names = names_in(condition)
    except ExpressionError as error:
        return [(f"{REQUIRED_WHEN}: {error}", "form.rule_invalid")]
    return [
        (f"{REQUIRED_WHEN} reads {name!r}, which is not a field of this form{_suggestion(name, own)}; "
         "a condition reads the fields of its own form", "form.rule_unknown_field")
        for name in sorted(names - own)
    ]


def _suggestion(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
