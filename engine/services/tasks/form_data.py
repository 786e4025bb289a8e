"""The services' view of a task's form: its fields, those whose values the history keeps, and the check of submitted data.

The check itself is `engine.pathways.form_check`, the one the scenario runner uses too, so that a
submission gets the same answer from the pages, the JSON API, the command line and the scenarios.
"""

from __future__ import annotations

from engine.pathways.form_check import clean_form_data
from engine.pathways.form_rules import keeps_value
from engine.pathways.forms import form_spec_of

__all__ = ["clean_form_data", "form_fields", "kept_fields"]


def form_fields(form) -> list:
    """The fields of a Spiff form (empty when the task has none)."""
    return list(getattr(form, "fields", None) or [])


def kept_fields(form) -> set[str]:
    """Ids of the fields whose values the case history keeps (`aiguillage.history = keep`, never a sensitive one)."""
    spec = form_spec_of(form)
    return {field.id for field in spec.fields if keeps_value(field)} if spec is not None else set()
