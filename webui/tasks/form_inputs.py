"""How each field of a task's form is shown: the input type, the choices for lists, and for a
read-only field the case's value in words (shown, never posted)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from engine.pathways.form_rules import simple_condition
from webui.tasks.provider_words import verdict

INPUT_TYPES = {"long": "number", "date": "date", "string": "text", "time": "time", "datetime": "datetime-local",
               "enum_list": "checkboxes"}


@dataclass(frozen=True)
class FormInput:
    """One input of the task page."""

    name: str
    label: str
    type: str
    required: bool
    choices: list[tuple[str, str]] | None  # (value, label) pairs; None for a free input
    read_only: bool = False
    shown: str = ""  # a read-only field's value as the reader reads it ("" when the case holds none)
    # The value the input starts with, as it posts it: carried from an earlier step, else the pathway's
    # prefill (the reader's name, today's date) for the reader to keep or change.
    initial: str = ""
    section: str | None = None  # the heading of the form section this input opens
    conditional: bool = False  # required only in the case `hint` says (the server decides, not the browser)
    hint: str | None = None
    needed_now: bool = False  # a conditional field whose condition holds over the answers known
    # (field, posted value) whose answer on this page makes a conditional field needed: the page's
    # script hides the field while that answer is something else; without a script it stays shown.
    when: tuple[str, str] | None = None
    # Attributes the browser checks before sending (maxlength, min, max), from the field's declared limits;
    # the check on submission stays the authority.
    limits: tuple[tuple[str, str], ...] = ()


def posted_values(form, leave_out: tuple[str, ...] = ("csrf_token",)) -> dict:
    """A task form's post as the service takes it: a check list or tag list posts its name once per
    option ticked (a list), any other field once (its text)."""
    return {name: found if len(found) > 1 else found[0] for name, found in form.lists() if name not in leave_out}


def form_inputs(task) -> list[FormInput]:
    """The inputs for the fields of `task` (an engine LabelledTaskForm: labels already in the reader's language).

    A field hidden for the case's values now is left out, and its section heading passes to the next
    field shown, so that the section keeps its heading. A field required only in some cases stays,
    with its condition in words: the answer it depends on may change on this very page.
    """
    inputs = []
    pending_section = None
    by_id = {field.id: field for field in task.fields}
    for field in task.fields:
        if getattr(field, "hidden", False):
            pending_section = field.section or pending_section
            continue
        section, pending_section = field.section or pending_section, None
        choices = None
        if field.id == task.provider_field and task.providers:
            choices = [(p.slug, f"{p.rank}. {p.name} — {p.service_name} ({verdict(p)})") for p in task.providers]
        elif field.type == "boolean":
            choices = [("true", _("Yes")), ("false", _("No"))]
        elif field.type in ("enum", "enum_list"):
            choices = list(field.choices)
        shown = _shown(field.value, choices) if field.read_only else ""
        kind = INPUT_TYPES.get(field.type, "text")
        if field.type == "enum_list" and getattr(field, "widget", None) == "taglist":
            kind = "multiple"  # a list to pick several from, as a tag list is
        # A condition the case has already decided against needs no words: the field is simply optional.
        conditional = bool(field.required_when) and not field.required and not field.read_only and field.applies is not False
        # The one field and answer the condition tests, when it is that simple (else None).
        simple = simple_condition(field.required_when) if conditional else None
        other = by_id.get(simple[0]) if simple else None
        inputs.append(FormInput(field.id, field.label, kind, field.required, choices,
                                read_only=field.read_only, shown=shown, initial=_posted(_starting(field)), section=section,
                                conditional=conditional,
                                hint=_when_needed(other, simple[1] if simple else None) if conditional else None,
                                needed_now=conditional and field.applies is True,
                                when=_answer_needing(other, simple[1] if simple else None),
                                limits=tuple(getattr(field, "input_limits", ()))))
    return inputs


def _starting(field):
    """What the input starts with: the value carried from an earlier step, else the pathway's prefill."""
    return field.initial if field.initial is not None else getattr(field, "prefill", None)


def _answer_needing(other, wanted) -> tuple[str, str] | None:
    """The answer on this page that makes a field needed, as `other`'s input posts it (None: no such input)."""
    if other is None or other.read_only or getattr(other, "hidden", False):
        return None
    return other.id, _posted(wanted)


def _when_needed(other, wanted) -> str:
    """When a conditional field must be filled, in words: `other`, the field it depends on, and the answer."""
    if other is None:
        return _("Needed in some cases, depending on your other answers.")
    if isinstance(wanted, bool):
        answer = _("Yes") if wanted else _("No")
    else:
        answer = dict(other.choices).get(str(wanted), str(wanted))
    return _("Needed if “%(field)s” is “%(answer)s”.", field=other.label, answer=answer)


def _shown(value, choices: list[tuple[str, str]] | None) -> str:
    """A stored value in words: a choice by its label (true/false as Yes/No), anything else as text."""
    if isinstance(value, list):
        return ", ".join(dict(choices or ()).get(str(item), str(item)) for item in value)
    text = _posted(value)
    return dict(choices or ()).get(text, text)


def _posted(value):
    """A stored value as an input posts it: true/false for a yes/no, a list for several options, text otherwise, "" for none."""
    if value is None:
        return ""
    if isinstance(value, list):
        return [str(item) for item in value]
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def submit_label(task) -> str:
    """What the submit button says: what happens when it is pressed, from the task's purpose."""
    labels = {
        "referral.send": _("Send the referral"),
        "referral.acknowledge": _("Acknowledge receipt"),
        "referral.decide": _("Record the decision"),
        "referral.outcome": _("Report the outcome"),
        # What it does depends on the reason: none sends the need on, one records it as unmet.
        "referral.unmet": _("Send it on, or record the unmet need"),
        "consent.record": _("Record the consent"),
        "consent.refused": _("Record the refusal"),
        "consent.override": _("Record the decision on the override"),
        "consent.withdraw": _("Record the withdrawal"),
        "escalation": _("Record what was done"),
    }
    return labels.get(getattr(task, "purpose", None) or "", _("Save and continue"))
