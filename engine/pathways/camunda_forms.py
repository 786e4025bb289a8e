"""Camunda Forms (the .form files Camunda Modeler 5 makes) as the task's form fields.

A user task or start event with ``camunda:formRef="Form_x"`` or ``camunda:formKey="camunda-forms:...
/x.form"`` gets the form's components written into it as ``camunda:formData`` fields, so that the
validator, the engine, the pages, the API and the command line all read one kind of form.

    text field, text area -> string     number -> long         checkbox -> boolean
    radio, select         -> enum       check list, tag list -> enum_list (several options)
    date/time             -> date, time or datetime (by its subtype)
    required, min, max, minLength, maxLength, pattern, readonly (disabled) -> constraints
    validationType email / phone -> a pattern
    conditional.hide      -> the property aiguillage.hidden_when, translated from FEEL
    defaultValue          -> the default; a FEEL one (=today()) marked aiguillage.default_language = feel
                             for `engine.pathways.form_prefill`, which fills =today() and =now() in
    static text, spacers, images, buttons carry no value and are left out; groups are read through.

Labels are translated like any form field's, by key, in the pathway's i18n/ files (`fields`, and
`values` for the options).

Not translated, and refused by name with the component's key (and for a condition, the form's file
and the expression): decimal numbers, options taken from a variable, conditions outside the FEEL
that `engine.expressions.feel` translates. A refusal is a `Note` that is not a warning (rule
``unsupported.form_component``; a form that is not in the folder is ``form.missing``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from lxml import etree

from engine.errors import ExpressionError
from engine.expressions.feel import translate_feel
from engine.pathways.dialect import BPMN_NS, CAMUNDA_NS, Note

FORM_PREFIX = "camunda-forms:"
_TYPES = {"textfield": "string", "textarea": "string", "number": "long", "checkbox": "boolean",
          "radio": "enum", "select": "enum", "checklist": "enum_list", "taglist": "enum_list", "datetime": "date"}
_DATETIME_SUBTYPES = {"date": "date", "time": "time", "datetime": "datetime"}
# What Camunda Forms' validationType checks, as a pattern over the whole value.
_VALIDATION_TYPES = {"email": r"[^@\s]+@[^@\s]+\.[^@\s]+", "phone": r"\+?[0-9][0-9 ().-]{5,19}"}
HIDDEN_WHEN = "aiguillage.hidden_when"  # engine.pathways.form_rules.HIDDEN_WHEN (that module reads forms, not this one)
# engine.pathways.form_prefill.DEFAULT_LANGUAGE: a default starting with '=' is FEEL here, text in Camunda 7's fields.
DEFAULT_LANGUAGE, FEEL = "aiguillage.default_language", "feel"
_NO_VALUE = {"text", "spacer", "separator", "image", "button", "html", "iframe", "table", "documentPreview"}
_LIMITS = {"min": "min", "max": "max", "minLength": "minlength", "maxLength": "maxlength"}
MAX_FORM_BYTES = 512 * 1024


def embed_camunda_forms(root: etree._Element, files: Mapping[str, bytes]) -> list[Note]:
    """Write each referenced Camunda Form into its task as form fields; a Note (error) for what cannot be."""
    forms = _forms_by_id(files)
    notes: list[Note] = []
    for owner in root.iter(f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}startEvent"):
        reference = (owner.get(f"{{{CAMUNDA_NS}}}formRef") or "").strip()
        key = (owner.get(f"{{{CAMUNDA_NS}}}formKey") or "").strip()
        if not reference and not key.startswith(FORM_PREFIX):
            continue
        form = _find(forms, files, reference, key)
        if isinstance(form[1], str):
            rule, message = form
            notes.append(Note(owner, rule, message, warning=False))
            continue
        name, form = form
        fields, refused = _fields(form.get("components") or [], name)
        notes += [Note(owner, "unsupported.form_component", message, warning=False) for message in refused]
        if fields:
            _write_form_data(owner, fields)
    return notes


def _forms_by_id(files: Mapping[str, bytes]) -> dict[str, tuple[str, dict]]:
    found = {}
    for name, data in sorted(files.items()):
        if name.lower().endswith(".form") and len(data) <= MAX_FORM_BYTES:
            form = _parsed(data)
            if isinstance(form, dict) and isinstance(form.get("id"), str):
                found.setdefault(form["id"], (name, form))
    return found


def _parsed(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _find(forms: dict[str, tuple[str, dict]], files: Mapping[str, bytes], reference: str, key: str) -> tuple[str, dict | str]:
    """(file name, form), or (rule, message) saying why there is none."""
    if reference:
        if reference.startswith("${"):
            return "form.camunda_form", f"formRef {reference!r} is an expression; name the form's id (the 'id' of a .form file of the pathway folder)"
        return forms.get(reference) or ("form.missing", f"formRef {reference!r} names no form: no .form file of the pathway folder has this id ({', '.join(sorted(forms)) or 'no .form files'})")
    path = key[len(FORM_PREFIX):].split(":", 1)[-1].lstrip("/")
    candidates = [name for name in files if name.lower().endswith(".form") and (name == path or name.endswith("/" + path) or path.endswith("/" + name) or name == path.rsplit("/", 1)[-1])]
    if not candidates:
        return "form.missing", f"formKey {key!r} names {path!r}, which is not a .form file of the pathway folder; put the form next to the diagram"
    form = _parsed(files[candidates[0]]) if len(files[candidates[0]]) <= MAX_FORM_BYTES else None
    if not isinstance(form, dict):
        return "form.camunda_form", f"{candidates[0]} is not a Camunda Form (JSON with components); save it again from Camunda Modeler"
    return candidates[0], form


def _fields(components: list, file: str, depth: int = 0) -> tuple[list[dict], list[str]]:
    fields: list[dict] = []
    refused: list[str] = []
    if depth > 8 or not isinstance(components, list):
        return fields, ["the form nests groups too deeply"]
    for component in components:
        if not isinstance(component, dict):
            continue
        kind = str(component.get("type") or "")
        key = str(component.get("key") or component.get("id") or "?")
        if kind in ("group", "dynamiclist"):
            inner, problems = _fields(component.get("components") or [], file, depth + 1)
            fields += inner
            refused += problems
            continue
        if kind in _NO_VALUE:
            continue
        problem = _refusal(component, kind, key)
        hidden = _hidden_when(component)
        if isinstance(hidden, ExpressionError):
            problem = problem or f"the condition hide={hidden.expression!r} ({file}): {hidden.message}; " \
                                 "draw the condition as a gateway and a second task"
        if problem:
            refused.append(f"Camunda Form field {key!r}: {problem}")
            continue
        fields.append(_field(component, kind, key, hidden))
    return fields, refused


def _refusal(component: dict, kind: str, key: str) -> str | None:
    validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
    if kind not in _TYPES:
        return (f"the component type {kind!r} is not supported; use a text field, text area, number, checkbox, check list, "
                "radio, select, tag list or date/time")
    if kind == "number" and (component.get("decimalDigits") or 0):
        return "decimal numbers are not supported; use whole numbers (no decimal digits)"
    if kind == "datetime" and component.get("subtype", "date") not in _DATETIME_SUBTYPES:
        return f"the date/time subtype {component.get('subtype')!r} is not supported; use date, time or datetime"
    if kind in ("radio", "select", "checklist", "taglist") and not isinstance(component.get("values"), list):
        return "options taken from a variable (valuesKey) are not supported; list the options in the form"
    if validate.get("validationType") and validate.get("validationType") not in _VALIDATION_TYPES:
        return f"the validation {validate.get('validationType')!r} is not supported; use email, phone or a pattern"
    if (validate.get("pattern") or validate.get("validationType")) and kind not in ("textfield", "textarea"):
        return "a pattern applies only to text fields and text areas"
    if not key or key == "?":
        return "the field has no key; give it one in Camunda Modeler"
    return None


def _hidden_when(component: dict) -> str | ExpressionError | None:
    """The component's `conditional.hide` in the safe language (None without one; the error when it cannot be translated)."""
    condition = component.get("conditional")
    hide = condition.get("hide") if isinstance(condition, dict) else None
    if hide is None or hide == "" or hide is False:
        return None
    if hide is True:
        return "True"
    try:
        return translate_feel(str(hide))
    except ExpressionError as error:
        return error


def _field(component: dict, kind: str, key: str, hidden: str | None) -> dict:
    validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
    constraints = {}
    if validate.get("required"):
        constraints["required"] = None
    if component.get("readonly") or component.get("disabled"):
        constraints["readonly"] = None
    for name, constraint in _LIMITS.items():
        if validate.get(name) is not None and (kind == "number") == (name in ("min", "max")):
            constraints[constraint] = str(validate[name])
    pattern = validate.get("pattern") or _VALIDATION_TYPES.get(str(validate.get("validationType") or ""))
    if pattern:
        constraints["pattern"] = str(pattern)
    values = [(str(v.get("value")), str(v.get("label") or v.get("value"))) for v in component.get("values") or [] if isinstance(v, dict)]
    field_type = _DATETIME_SUBTYPES[component.get("subtype", "date")] if kind == "datetime" else _TYPES[kind]
    default = _default(component.get("defaultValue"))
    properties = {"widget": "textarea" if kind == "textarea" else kind if kind in ("checklist", "taglist") else None,
                  HIDDEN_WHEN: hidden,
                  DEFAULT_LANGUAGE: FEEL if isinstance(component.get("defaultValue"), str) and default.strip().startswith("=") else None}
    # A date/time component has its labels per part (dateLabel, timeLabel), not one label.
    label = component.get("label") or component.get("dateLabel") or component.get("timeLabel") or key
    return {"id": key, "label": str(label), "type": field_type, "constraints": constraints,
            "values": values, "default": default,
            "properties": {name: value for name, value in properties.items() if value}}


def _default(default: object) -> str | None:
    if default is None:
        return None
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, list):
        return json.dumps([str(item) for item in default])
    return str(default)


def _write_form_data(owner: etree._Element, fields: list[dict]) -> None:
    extensions = owner.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        owner.insert(sum(1 for c in owner if c.tag == f"{{{BPMN_NS}}}documentation"), extensions)
    form_data = etree.SubElement(extensions, f"{{{CAMUNDA_NS}}}formData")
    for spec in fields:
        attributes = {"id": spec["id"], "label": spec["label"], "type": spec["type"]}
        if spec["default"] is not None:
            attributes["defaultValue"] = spec["default"]
        element = etree.SubElement(form_data, f"{{{CAMUNDA_NS}}}formField", attributes)
        if spec["constraints"]:
            validation = etree.SubElement(element, f"{{{CAMUNDA_NS}}}validation")
            for name, config in spec["constraints"].items():
                constraint = etree.SubElement(validation, f"{{{CAMUNDA_NS}}}constraint", name=name)
                if config is not None:
                    constraint.set("config", config)
        if spec["properties"]:
            properties = etree.SubElement(element, f"{{{CAMUNDA_NS}}}properties")
            for name, value in spec["properties"].items():
                etree.SubElement(properties, f"{{{CAMUNDA_NS}}}property", id=name, value=value)
        for value_id, label in spec["values"]:
            etree.SubElement(element, f"{{{CAMUNDA_NS}}}value", id=value_id, name=label)
