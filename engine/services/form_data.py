"""Checking what a person submits against the form of the task they complete.

Every field of the form gets a value in the cleaned data: what was submitted, else the field's
default, else None. A pathway can then test any of its fields (`if need_health`) without failing
on a field left empty, exactly as an unticked box of a web form.

A task's form comes from the diagram (`camunda:formField`): each field has a type (string, long,
boolean, date, enum), constraints (required, minlength, maxlength, min, max, readonly) and
properties (`sensitive`). Submitted data is cleaned into plain JSON values, or refused with every
field's problems at once (`InvalidData.errors`), before anything changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.errors import InvalidData

SENSITIVE_PROPERTY = "sensitive"


def form_fields(form) -> list:
    """The fields of a Spiff form (empty when the task has none)."""
    return list(getattr(form, "fields", None) or [])


def sensitive_fields(form) -> set[str]:
    """Ids of the fields marked `sensitive` (free text, identity): never copied into history or messages."""
    result = set()
    for field in form_fields(form):
        for prop in getattr(field, "properties", []) or []:
            if prop.id == SENSITIVE_PROPERTY and str(prop.value).lower() == "true":
                result.add(field.id)
    return result


def clean_form_data(form, data: dict | None) -> dict[str, Any]:
    """`data` checked and converted by the task's form; InvalidData naming each wrong field."""
    data = dict(data or {})
    if form is None:
        if data:
            raise InvalidData("this task has no form; it takes no data", {k: ["not a field of this task"] for k in data})
        return {}
    fields = {field.id: field for field in form_fields(form)}
    errors: dict[str, list[str]] = {}
    for name in sorted(set(data) - set(fields)):
        errors[name] = ["not a field of this form"]
    cleaned: dict[str, Any] = {}
    for name, field in fields.items():
        value = data.get(name)
        if value is None or value == "":
            if _constraint(field, "required") is not None:
                errors.setdefault(name, []).append("required")
            cleaned[name] = _default(field)
            continue
        if _constraint(field, "readonly") is not None:
            errors.setdefault(name, []).append("read-only")
            continue
        try:
            cleaned[name] = _converted(field, value)
        except ValueError as problem:
            errors.setdefault(name, []).append(str(problem))
            continue
        errors_here = _constraint_problems(field, cleaned[name])
        if errors_here:
            errors.setdefault(name, []).extend(errors_here)
    if errors:
        count = len(errors)
        raise InvalidData(f"{count} field{'s' if count != 1 else ''} to correct: {', '.join(sorted(errors))}", errors)
    return cleaned


def _default(field) -> Any:
    text = getattr(field, "default_value", None)
    if text in (None, ""):
        return None
    try:
        return _converted(field, text)
    except ValueError:
        return None


def _constraint(field, name: str):
    for validation in getattr(field, "validation", []) or []:
        if validation.name == name:
            return validation.config if validation.config is not None else True
    return None


def _converted(field, value: Any) -> Any:
    kind = (field.type or "string").lower()
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("must be true or false")
    if kind == "long":
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        raise ValueError("must be a whole number")
    if kind == "date":
        if not isinstance(value, str):
            raise ValueError("must be a date such as 2026-03-02")
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError("must be a date such as 2026-03-02") from None
    if kind == "enum":
        allowed = [option.id for option in getattr(field, "options", [])]
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip()


def _constraint_problems(field, value: Any) -> list[str]:
    problems = []
    for name, check in (("minlength", _too_short), ("maxlength", _too_long), ("min", _too_small), ("max", _too_big)):
        config = _constraint(field, name)
        if config is None:
            continue
        try:
            limit = int(config)
        except (TypeError, ValueError):
            continue
        problem = check(value, limit)
        if problem:
            problems.append(problem)
    return problems


def _too_short(value, limit):
    return f"at least {limit} characters" if isinstance(value, str) and len(value) < limit else None


def _too_long(value, limit):
    return f"at most {limit} characters" if isinstance(value, str) and len(value) > limit else None


def _too_small(value, limit):
    return f"at least {limit}" if isinstance(value, int) and value < limit else None


def _too_big(value, limit):
    return f"at most {limit}" if isinstance(value, int) and value > limit else None
