"""User task forms (Camunda form fields): read from the diagram or from SpiffWorkflow's form objects.

Data submitted through a form is checked by `engine.pathways.form_check`. Dates are exchanged as
ISO `YYYY-MM-DD` text (task data stays plain JSON); Camunda's own `dd/MM/yyyy` is also accepted
on input, because Camunda Tasklist users type dates that way.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lxml import etree

from engine.pathways.documents import BPMN_NS, EXTENSION_NAMESPACES, extension_children, line_of, local, read_diagram
from engine.pathways.folder import BPMN_SUFFIXES
from engine.pathways.xml import XmlProblem

# enum_list (several options: Camunda Forms' check lists and tag lists), time and datetime come
# from Camunda Forms; a camunda:formField may use them too.
FIELD_TYPES = ("string", "long", "boolean", "date", "enum", "enum_list", "time", "datetime")
CONSTRAINTS = ("required", "readonly", "minlength", "maxlength", "min", "max", "pattern")
# Camunda accepts dashes (jaar-omzet); conditions reach such a field by its safe name (jaar_omzet).
FIELD_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def safe_name(field_id: str) -> str:
    """The name conditions and scripts use for a field: its id with dashes as underscores."""
    return field_id.replace("-", "_")
# Camunda's `long` is a Java long.
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
# The longest text a field takes even without a maxlength: a page of notes, not a file.
MAX_TEXT = 100_000
# The earliest date a date field takes when the pathway declares no `min`: nothing a referral records
# (a birth, an identification, an appointment) happened before it, and an earlier one is a slip of the
# keyboard (1800 for 2000) that would otherwise be kept as if it were true.
EARLIEST_DATE = date(1900, 1, 1)
# A field with this property set to "true" holds identity or free text: never copied into history or messages.
SENSITIVE_PROPERTY = "sensitive"


@dataclass(frozen=True)
class EnumValue:
    """One option of an enum field: the stored id and its label in the diagram's language."""

    id: str
    name: str | None


@dataclass(frozen=True)
class FieldSpec:
    """One form field as drawn: type, label, default, constraints and properties."""

    id: str
    type: str
    label: str | None = None
    default: str | None = None
    values: tuple[EnumValue, ...] = ()
    constraints: dict[str, str | None] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    line: int | None = None

    @property
    def required(self) -> bool:
        """True when the field has Camunda's `required` constraint."""
        return "required" in self.constraints

    @property
    def readonly(self) -> bool:
        """True when the field has Camunda's `readonly` constraint: shown, never written."""
        return "readonly" in self.constraints

    @property
    def sensitive(self) -> bool:
        """True when the field's `sensitive` property is "true"."""
        return str(self.properties.get(SENSITIVE_PROPERTY, "")).strip().lower() == "true"

    def bound(self, name: str) -> int | float | date | None:
        """The parsed value of a min/max/minlength/maxlength constraint (None if absent or bad)."""
        raw = self.constraints.get(name)
        if raw is None:
            return None
        try:
            return parse_bound(self.type, name, raw)
        except ValueError:
            return None


@dataclass(frozen=True)
class FormSpec:
    """The form of a user task: its key (if any) and its fields in order."""

    task_id: str | None
    key: str | None
    fields: tuple[FieldSpec, ...]

    def field(self, field_id: str) -> FieldSpec | None:
        """The field with this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)


TODAY = "today"  # a date bound meaning the day of the submission, in the Africa/Douala calendar


def parse_bound(field_type: str, name: str, raw: str) -> int | float | date | str:
    """Parse a constraint's config for a field type; ValueError says why it cannot be used."""
    text = (raw or "").strip()
    if name in ("minlength", "maxlength"):
        if not re.fullmatch(r"\d{1,9}", text):
            raise ValueError(f"{name} needs a whole number of characters, e.g. {name}=\"3\"")
        return int(text)
    if name == "pattern":
        if field_type != "string":
            raise ValueError("pattern applies only to string fields")
        return compile_pattern(raw or "").pattern
    if field_type == "date":
        # "today": the date the form is submitted on (no consent or identification dated in the future).
        return TODAY if text.lower() == TODAY else parse_date(text)
    if field_type == "long":
        if not re.fullmatch(r"[+-]?\d{1,19}", text):
            raise ValueError(f"{name} needs a whole number, e.g. {name}=\"0\"")
        return int(text)
    raise ValueError(f"{name} applies only to long and date fields")


# A pattern is the pathway author's regular expression, run on what a person types: Python's re has
# no time limit, so a pattern is kept to shapes that cannot backtrack badly (no repetition inside a
# repetition, no alternative inside a repetition, no back-reference) and to short values.
MAX_PATTERN = 200
MAX_PATTERN_VALUE = 200


def compile_pattern(text: str) -> re.Pattern:
    """The compiled pattern (matched against the whole value); ValueError says why it cannot be used."""
    import re._parser as sre_parse  # the standard library's own reading of a pattern

    if not text or len(text) > MAX_PATTERN:
        raise ValueError(f"a pattern must have 1 to {MAX_PATTERN} characters")
    try:
        parsed = sre_parse.parse(text)
    except (re.error, RecursionError, OverflowError) as error:
        raise ValueError(f"{text[:60]!r} is not a regular expression ({error})") from None
    _check_pattern(parsed, inside_repeat=False)
    return re.compile(text)


def _check_pattern(parsed, inside_repeat: bool, depth: int = 0) -> None:
    if depth > 20:
        raise ValueError("the pattern is nested too deeply")
    for op, argument in parsed:
        name = str(op)
        if name == "GROUPREF" or name == "GROUPREF_EXISTS":
            raise ValueError("a pattern cannot refer back to a group (\\1)")
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if inside_repeat:
                raise ValueError("a repetition inside a repetition, such as (a+)*, can take very long to check; write it without")
            _check_pattern(argument[2], True, depth + 1)
        elif name == "BRANCH":
            if inside_repeat:
                raise ValueError("alternatives inside a repetition, such as (a|ab)*, can take very long to check; use a character class [ab]")
            for branch in argument[1]:
                _check_pattern(branch, inside_repeat, depth + 1)
        elif name == "SUBPATTERN":
            _check_pattern(argument[-1], inside_repeat, depth + 1)
        elif name in ("ASSERT", "ASSERT_NOT"):
            _check_pattern(argument[1], inside_repeat, depth + 1)


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD or dd/MM/yyyy; ValueError otherwise."""
    text = text.strip()
    for pattern, layout in ((r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"), (r"\d{2}/\d{2}/\d{4}", "%d/%m/%Y")):
        if re.fullmatch(pattern, text):
            try:
                return datetime.strptime(text, layout).date()
            except ValueError:
                break
    raise ValueError(f"{text[:40]!r} is not a date; write it YYYY-MM-DD, e.g. 2026-03-02")


def drawn_type(raw: str | None, constraints: dict[str, str | None]) -> str:
    """The type a field is read as: its own, or for a field drawn without one what Camunda 7 makes of it.

    Camunda 7 keeps an untyped field's value as entered (text), but its min/max validators accept
    only numbers: a field without type and with such a limit takes a whole number here.
    """
    if raw is None:
        return "long" if {"min", "max"} & set(constraints) else "string"
    return str(raw).strip()


def form_fields_of(task: etree._Element) -> list[etree._Element]:
    """The camunda:formField elements of a user task (Camunda or Operaton namespace)."""
    return extension_children(task, "formData/formField")


def form_spec_from_bpmn(task: etree._Element) -> FormSpec:
    """The form drawn on a user task element, read leniently (the validator reports what is wrong)."""
    key = None
    for uri in EXTENSION_NAMESPACES:
        key = key or task.get(f"{{{uri}}}formKey")
    specs = [_field_from_xml(element) for element in form_fields_of(task)]
    return FormSpec(task.get("id"), key, tuple(specs))


def _field_from_xml(element: etree._Element) -> FieldSpec:
    values, constraints, properties = [], {}, {}
    for child in element.iter():
        name = local(child)
        if name == "value" and child is not element:
            values.append(EnumValue(child.get("id") or "", child.get("name")))
        elif name == "constraint":
            constraints[(child.get("name") or "").strip()] = child.get("config")
        elif name == "property" and child.getparent() is not None and local(child.getparent()) == "properties":
            properties[child.get("id") or child.get("name") or ""] = child.get("value") or ""
    return FieldSpec(
        id=element.get("id") or "",
        type=drawn_type(element.get("type"), constraints),
        label=element.get("label"),
        default=element.get("defaultValue"),
        values=tuple(values),
        constraints=constraints,
        properties=properties,
        line=line_of(element),
    )


def form_spec_from_spiff(form: Any, task_id: str | None = None) -> FormSpec:
    """A FormSpec from SpiffWorkflow's camunda `Form` object (as kept on a UserTask spec)."""
    specs = []
    for spiff_field in getattr(form, "fields", []) or []:
        values = tuple(EnumValue(o.id, o.name) for o in getattr(spiff_field, "options", []) or [])
        specs.append(FieldSpec(
            id=spiff_field.id or "",
            type=drawn_type(spiff_field.type, {v.name: v.config for v in spiff_field.validation}),
            label=spiff_field.label,
            default=spiff_field.default_value,
            values=values,
            constraints={v.name: v.config for v in spiff_field.validation},
            properties={p.id: p.value for p in spiff_field.properties},
        ))
    return FormSpec(task_id, getattr(form, "key", None) or None, tuple(specs))


# The FormSpec of each SpiffWorkflow form in use: a parsed pathway's forms never change, and
# reading one again for every submission would cost more than checking the submission.
_SPIFF_FORMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def form_spec_of(form: Any) -> FormSpec | None:
    """A FormSpec for `form`: one already, SpiffWorkflow's form object, or None (a task without a form)."""
    if form is None or isinstance(form, FormSpec):
        return form
    spec = _SPIFF_FORMS.get(form)
    if spec is None:
        spec = _SPIFF_FORMS[form] = form_spec_from_spiff(form)
    return spec


def load_form(files: dict[str, bytes], task_id: str) -> FormSpec | None:
    """The form of user task `task_id` in a pathway's BPMN files (`PathwaySource.files`), or None."""
    for name in sorted(files):
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        root = read_diagram(files, name)
        if isinstance(root, XmlProblem):
            continue
        for task in root.iter(f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}startEvent"):
            if task.get("id") == task_id:
                return form_spec_from_bpmn(task)
    return None
