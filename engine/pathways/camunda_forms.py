"""Camunda Forms (the .form files Camunda Modeler 5 makes) as the task's form fields.

A user task or start event with ``camunda:formRef="Form_x"`` or ``camunda:formKey="camunda-forms:...
/x.form"`` gets the form's components written into it as ``camunda:formData`` fields, so that the
validator, the engine, the pages, the API and the command line all read one kind of form.

    text field, text area -> string     number -> long         checkbox -> boolean
    radio, select         -> enum       date/time (date only) -> date
    required, min, max, minLength, maxLength, readonly (disabled) -> constraints
    static text, spacers, images, buttons carry no value and are left out; groups are read through.

Not (yet) translated, and refused by name with the component's key: check lists and tag lists
(several values), decimal numbers, times, patterns, options taken from a variable and conditional
fields (``conditional.hide``). A refusal is a `Note` that is not a warning (rule
``unsupported.form_component``; a form that is not in the folder is ``form.missing``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from lxml import etree

from engine.pathways.dialect import BPMN_NS, CAMUNDA_NS, Note

FORM_PREFIX = "camunda-forms:"
_TYPES = {"textfield": "string", "textarea": "string", "number": "long", "checkbox": "boolean",
          "radio": "enum", "select": "enum", "datetime": "date"}
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
        if isinstance(form, tuple):
            rule, message = form
            notes.append(Note(owner, rule, message, warning=False))
            continue
        fields, refused = _fields(form.get("components") or [])
        notes += [Note(owner, "unsupported.form_component", message, warning=False) for message in refused]
        if fields:
            _write_form_data(owner, fields)
    return notes


def _forms_by_id(files: Mapping[str, bytes]) -> dict[str, dict]:
    found = {}
    for name, data in files.items():
        if name.lower().endswith(".form") and len(data) <= MAX_FORM_BYTES:
            form = _parsed(data)
            if isinstance(form, dict) and isinstance(form.get("id"), str):
                found.setdefault(form["id"], form)
    return found


def _parsed(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _find(forms: dict[str, dict], files: Mapping[str, bytes], reference: str, key: str) -> dict | tuple[str, str]:
    """The form, or (rule, message) saying why there is none."""
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
    return form


def _fields(components: list, depth: int = 0) -> tuple[list[dict], list[str]]:
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
            inner, problems = _fields(component.get("components") or [], depth + 1)
            fields += inner
            refused += problems
            continue
        if kind in _NO_VALUE:
            continue
        problem = _refusal(component, kind, key)
        if problem:
            refused.append(f"Camunda Form field {key!r}: {problem}")
            continue
        fields.append(_field(component, kind, key))
    return fields, refused


def _refusal(component: dict, kind: str, key: str) -> str | None:
    validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
    if kind in ("checklist", "taglist"):
        return f"a {kind} (several values) is not supported yet; use one checkbox per option"
    if kind not in _TYPES:
        return f"the component type {kind!r} is not supported; use a text field, text area, number, checkbox, radio, select or date"
    if kind == "number" and (component.get("decimalDigits") or 0):
        return "decimal numbers are not supported; use whole numbers (no decimal digits)"
    if kind == "datetime" and component.get("subtype", "date") != "date":
        return "only dates are supported (subtype date), not times"
    if kind in ("radio", "select") and not isinstance(component.get("values"), list):
        return "options taken from a variable (valuesKey) are not supported; list the options in the form"
    if validate.get("pattern") or validate.get("validationType"):
        return "patterns are not supported; use minimum and maximum lengths, or check the value with a gateway condition"
    if isinstance(component.get("conditional"), dict) and component["conditional"].get("hide"):
        return "conditional fields (hide if) are not supported yet; draw the condition as a gateway and a second task"
    if not key or key == "?":
        return "the field has no key; give it one in Camunda Modeler"
    return None


def _field(component: dict, kind: str, key: str) -> dict:
    validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
    constraints = {}
    if validate.get("required"):
        constraints["required"] = None
    if component.get("readonly") or component.get("disabled"):
        constraints["readonly"] = None
    for name, constraint in _LIMITS.items():
        if validate.get(name) is not None and (kind == "number") == (name in ("min", "max")):
            constraints[constraint] = str(validate[name])
    values = [(str(v.get("value")), str(v.get("label") or v.get("value"))) for v in component.get("values") or [] if isinstance(v, dict)]
    default = component.get("defaultValue")
    return {"id": key, "label": str(component.get("label") or key), "type": _TYPES[kind], "constraints": constraints,
            "values": values, "default": None if default is None else str(default).lower() if isinstance(default, bool) else str(default),
            "textarea": kind == "textarea"}


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
        if spec["textarea"]:
            properties = etree.SubElement(element, f"{{{CAMUNDA_NS}}}properties")
            etree.SubElement(properties, f"{{{CAMUNDA_NS}}}property", id="widget", value="textarea")
        for value_id, label in spec["values"]:
            etree.SubElement(element, f"{{{CAMUNDA_NS}}}value", id=value_id, name=label)
