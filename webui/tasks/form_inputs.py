"""How each field of a task's form is shown: the input type, and the choices for lists."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

PROVIDER_FIELD = "provider_id"  # the referral step's field naming the receiving organisation
INPUT_TYPES = {"long": "number", "date": "date", "string": "text"}


@dataclass(frozen=True)
class FormInput:
    """One input of the task page."""

    name: str
    label: str
    type: str
    required: bool
    choices: list[tuple[str, str]] | None  # (value, label) pairs; None for a free input


def form_inputs(task) -> list[FormInput]:
    """The inputs for the fields of `task` (an engine LabelledTaskForm: labels already in the reader's language)."""
    inputs = []
    for field in task.fields:
        choices = None
        if field.id == PROVIDER_FIELD and task.providers:
            choices = [(p.slug, f"{p.name} — {p.service_name}") for p in task.providers]
        elif field.type == "boolean":
            choices = [("true", _("Yes")), ("false", _("No"))]
        elif field.type == "enum":
            choices = list(field.choices)
        inputs.append(FormInput(field.id, field.label, INPUT_TYPES.get(field.type, "text"), field.required, choices))
    return inputs
