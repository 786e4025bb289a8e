"""Form rules: field ids, types, enum values and constraints of every user task form."""

from __future__ import annotations

from lxml import etree

from engine.pathways.documents import BPMN_NS, Document
from engine.pathways.forms import (
    CONSTRAINTS, FIELD_ID, FIELD_TYPES, FieldSpec, form_fields_of, form_spec_from_bpmn, parse_bound, parse_date, safe_name,
)
from engine.pathways.form_prefill import is_expression, is_feel, understood_expression
from engine.pathways.problems import WARNING, Problem
from engine.pathways.rules.unsupported import JAVA_ADVICE

FORM_OWNERS = ("userTask", "startEvent")


def check_forms(documents: list[Document], checked: set[str]) -> list[Problem]:
    """Every form field must be usable: known type, enum values, parseable constraints, unique id."""
    return [problem for document, owner in form_owners(documents, checked) for problem in _check_form(document, owner)]


def form_owners(documents: list[Document], checked: set[str]) -> list[tuple[Document, etree._Element]]:
    """The user tasks and start events with a form in the checked processes, with their document."""
    return [
        (document, owner)
        for document in documents
        for process in document.processes() if process.get("id") in checked
        for owner in process.iter(*(f"{{{BPMN_NS}}}{name}" for name in FORM_OWNERS)) if form_fields_of(owner)
    ]


def _check_form(document: Document, task) -> list[Problem]:
    form = form_spec_from_bpmn(task)
    located = document.problem(task, "form", "")
    problems: list[Problem] = []

    def report(spec: FieldSpec, rule: str, message: str, severity: str | None = None) -> None:
        name = f"field {spec.id!r}" if spec.id else "a field without id"
        where = (document.file, spec.line or located.line, located.element_id, located.element_name, f"{name}: {message}", rule)
        problems.append(Problem(*where, severity) if severity else Problem(*where))

    for element, spec in zip(form_fields_of(task), form.fields):
        if element.get("type") is None:
            taken = ("a whole number (type long), because Camunda 7 checks its min/max limits only on numbers"
                     if spec.type == "long" else "text (type string)")
            problems.append(Problem(document.file, spec.line or located.line, located.element_id, located.element_name,
                                    f"field {spec.id!r} has no type; as in Camunda 7 it takes {taken}", "form.no_type", WARNING))
    seen: dict[str, str] = {}
    for spec in form.fields:
        if not FIELD_ID.match(spec.id):
            report(spec, "form.bad_id", "a field id must be a name of letters, digits, _ and - starting with a letter (e.g. risk_level), because conditions use it")
        elif spec.id in seen:
            report(spec, "form.duplicate_field", "this id is used twice in the same form; give each field its own id")
        elif safe_name(spec.id) in seen.values():
            report(spec, "form.duplicate_field", f"conditions reach this field as {safe_name(spec.id)}, like another field of the form; rename one of them")
        seen[spec.id] = safe_name(spec.id)
        if spec.type not in FIELD_TYPES:
            found = f"type {spec.type!r}" if spec.type else "no type"
            report(spec, "form.unknown_type", f"{found} is not a form field type; use one of {', '.join(FIELD_TYPES)}")
            continue
        _check_values(spec, report)
        _check_constraints(spec, report)
        _check_default(spec, report)
    return problems


def _check_values(spec: FieldSpec, report) -> None:
    if spec.type not in ("enum", "enum_list"):
        return
    if not spec.values and spec.required:
        report(spec, "form.enum_empty", "a required enum field needs values to choose from, or nobody could fill it; "
                                        "add them in the modeler (Values: id and name)")
    elif not spec.values:
        # Camunda 7 deploys it and shows an empty choice: the field can only stay empty.
        report(spec, "form.enum_empty", "this enum field has no values, so it can only stay empty (Camunda 7 shows an "
                                        "empty choice too); add them in the modeler (Values: id and name)", WARNING)
    ids = [value.id for value in spec.values]
    for value_id in ids:
        if not value_id.strip():
            report(spec, "form.enum_empty", "an enum value has no id; give each value an id such as high")
    for value_id in sorted({v for v in ids if ids.count(v) > 1 and v}):
        report(spec, "form.duplicate_value", f"enum value {value_id!r} is listed twice")


def _check_constraints(spec: FieldSpec, report) -> None:
    for name, config in spec.constraints.items():
        if name == "validator":
            report(spec, "unsupported.java", f"constraint validator={config!r} runs Java code; {JAVA_ADVICE.split(': ', 1)[0]}: check the value with min/max/minlength/maxlength or a gateway condition")
            continue
        if name not in CONSTRAINTS:
            report(spec, "form.unknown_constraint", f"constraint {name!r} is not supported; use {', '.join(CONSTRAINTS)}")
            continue
        if name in ("required", "readonly"):
            continue
        if name in ("minlength", "maxlength") and spec.type not in ("string",):
            report(spec, "form.bad_constraint", f"{name} applies only to string fields")
            continue
        try:
            parse_bound(spec.type, name, config or "")
        except ValueError as error:
            report(spec, "form.bad_constraint", f"constraint {name}={config!r}: {error}")
    for low, high in (("min", "max"), ("minlength", "maxlength")):
        low_value, high_value = spec.bound(low), spec.bound(high)
        # "today" moves: only two fixed limits can be compared here.
        if low_value is not None and high_value is not None and type(low_value) is type(high_value) and low_value > high_value:
            report(spec, "form.bad_constraint", f"{low} ({spec.constraints[low]}) is greater than {high} ({spec.constraints[high]})")
    if spec.required and spec.readonly:
        report(spec, "form.bad_constraint", "a field cannot be both required and read-only: nobody could fill it")


def _check_default(spec: FieldSpec, report) -> None:
    default = spec.default
    if default is not None and is_expression(spec) and understood_expression(spec) is None:
        # Its author expects a value worked out when the form opens; here the field starts empty, which they should know.
        shown = default.strip()[:60]
        if is_feel(spec):
            message = (f"default value {shown!r} is a FEEL expression this engine does not fill in, so the field starts "
                       "empty; in a Camunda Form it fills in =now() on a date, time or date-and-time field, =today() on "
                       "a date field and ${currentUser()} on a text field (the signed-in person's name)")
        else:
            message = (f"default value {shown!r} is an expression this engine does not fill in, so the field starts "
                       "empty; it fills in ${currentUser()} on a text field (the signed-in person's name), ${now()} on "
                       "a date, time or date-and-time field and ${today()} on a date field")
        report(spec, "form.expression_default", message, WARNING)
        return
    if default is None or not default.strip() or is_expression(spec):
        return
    text = default.strip()
    valid = True
    if spec.type == "long":
        valid = text.lstrip("+-").isdigit() and len(text) <= 20
    elif spec.type == "boolean":
        valid = text.lower() in ("true", "false")
    elif spec.type == "enum":
        valid = text in {value.id for value in spec.values}
    elif spec.type in ("enum_list", "time", "datetime"):
        from engine.pathways.form_check import default_value

        valid = default_value(spec) is not None
    elif spec.type == "date":
        try:
            parse_date(text)
        except ValueError:
            valid = False
    if not valid:
        report(spec, "form.bad_default", f"default value {text[:40]!r} is not a valid {spec.type}")

