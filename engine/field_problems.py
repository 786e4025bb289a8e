"""What is wrong with one submitted field: a stable code, its parameters, and an English sentence.

`InvalidData.errors` maps each field to a list of these. A `FieldProblem` is a `str` (the English
words) so that logs, the command line and API clients keep reading plain text, while interfaces
that speak another language choose their own words from `code` and `params`:

    problem = too_long(120)
    problem == "at most 120 characters"; problem.code == "too_long"; problem.params == {"limit": 120}
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

# What a date looks like, in the words the engine and the pages show.
DATE_EXAMPLE = "2026-03-02"


class FieldProblem(str):
    """One problem with one field: English text equal to the string itself, plus `code` and `params`."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, **params: Any) -> FieldProblem:
        problem = super().__new__(cls, text)
        problem.code = code
        problem.params = params
        return problem

    def __reduce__(self):
        return (_rebuilt, (self.code, str(self), self.params))


def _rebuilt(code: str, text: str, params: dict) -> FieldProblem:
    return FieldProblem(code, text, **params)


def required(text: str = "required") -> FieldProblem:
    """Nothing was given for a field that needs a value (`text` may say when it is needed)."""
    return FieldProblem("required", text)


def read_only() -> FieldProblem:
    """A value was given for a field that is only shown."""
    return FieldProblem("read_only", "read-only")


def unknown_field(of: str = "form") -> FieldProblem:
    """The name is not a field of the form (or of the task, when it has no form)."""
    return FieldProblem("unknown_field", f"not a field of this {of}")


def not_an_object() -> FieldProblem:
    """What was submitted is not a set of named fields."""
    return FieldProblem("not_an_object", "must be a set of named fields")


def not_text() -> FieldProblem:
    """A text field was given a number, a list, an object..."""
    return FieldProblem("not_text", "must be text")


def control_characters() -> FieldProblem:
    """Text holding control characters (NUL, escape...) that no person types and storage may refuse."""
    return FieldProblem("control_characters", "must not contain control characters")


def not_boolean() -> FieldProblem:
    """A yes/no field was given something else than true or false."""
    return FieldProblem("not_boolean", "must be true or false")


def not_whole_number() -> FieldProblem:
    """A number field was given something else than a whole number."""
    return FieldProblem("not_whole_number", "must be a whole number")


def not_a_date() -> FieldProblem:
    """A date field was given something else than a date."""
    return FieldProblem("not_a_date", f"must be a date such as {DATE_EXAMPLE}", example=DATE_EXAMPLE)


def not_a_month() -> FieldProblem:
    """A month (a report's period) was given something else than YYYY-MM."""
    return FieldProblem("not_a_month", f"must be a month such as {DATE_EXAMPLE[:7]}", example=DATE_EXAMPLE[:7])


def not_a_time() -> FieldProblem:
    """A time field was given something else than a time of day."""
    return FieldProblem("not_a_time", "must be a time such as 14:30", example="14:30")


def not_a_datetime() -> FieldProblem:
    """A date-and-time field was given something else."""
    return FieldProblem("not_a_datetime", f"must be a date and time such as {DATE_EXAMPLE}T14:30", example=f"{DATE_EXAMPLE}T14:30")


def not_choices(choices: Iterable[str]) -> FieldProblem:
    """A field of several options was given something else than a list of them, each once."""
    allowed = tuple(str(choice) for choice in choices)
    return FieldProblem("not_choices", f"must be a list of some of {', '.join(allowed)}", choices=allowed)


def no_pattern_match(pattern: str) -> FieldProblem:
    """Text that does not have the form the pathway asks for (a Camunda Form's pattern)."""
    return FieldProblem("no_pattern_match", f"must match the pattern {pattern}", pattern=pattern)


def not_a_choice(choices: Iterable[str], text: str | None = None) -> FieldProblem:
    """The value is not one of the choices offered (`text` keeps a service's own words)."""
    allowed = tuple(str(choice) for choice in choices)
    return FieldProblem("not_a_choice", text or f"must be one of {', '.join(allowed)}", choices=allowed)


def too_short(limit: int) -> FieldProblem:
    """Text shorter than its minimum length."""
    return FieldProblem("too_short", f"at least {limit} characters", limit=limit)


def too_long(limit: int) -> FieldProblem:
    """Text longer than its maximum length."""
    return FieldProblem("too_long", f"at most {limit} characters", limit=limit)


def too_small(limit: int) -> FieldProblem:
    """A number below its minimum."""
    return FieldProblem("too_small", f"at least {limit}", limit=limit)


def too_big(limit: int) -> FieldProblem:
    """A number above its maximum."""
    return FieldProblem("too_big", f"at most {limit}", limit=limit)


def too_early(limit: date) -> FieldProblem:
    """A date before the first one allowed."""
    return FieldProblem("too_early", f"on or after {limit.isoformat()}", limit=limit.isoformat())


def too_late(limit: date) -> FieldProblem:
    """A date after the last one allowed."""
    return FieldProblem("too_late", f"on or before {limit.isoformat()}", limit=limit.isoformat())


def no_such_user() -> FieldProblem:
    """The username names nobody."""
    return FieldProblem("no_such_user", "no such user")


def cannot_see_case() -> FieldProblem:
    """The user named may not see the case (an escalation is handed only to someone who may open it)."""
    return FieldProblem("cannot_see_case", "may not see this case")


def cannot_handle_escalation() -> FieldProblem:
    """The user named may not handle the escalation (only coordinators and the case's supervisors do)."""
    return FieldProblem("cannot_handle_escalation", "may not handle this escalation")


def not_of_task_organisation() -> FieldProblem:
    """The user named is not of the organisation that must do the task."""
    return FieldProblem("not_of_task_organisation", "not of the organisation that must do this task")


def role_not_held_here(roles: Iterable[str]) -> FieldProblem:
    """Roles the account's organisation does not hold (coordinators at the secretariat, focal points at providers)."""
    roles = sorted(roles)
    return FieldProblem("role_not_held_here", f"not held in this organisation: {', '.join(roles)}", roles=roles)


def role_not_grantable_to_self() -> FieldProblem:
    """An administrator adding roles to their own account."""
    return FieldProblem("role_not_grantable_to_self", "nobody grants themselves a role")


def not_an_email() -> FieldProblem:
    """Text that is not an email address."""
    return FieldProblem("not_an_email", "not an email address")


def forward_only() -> FieldProblem:
    """A training clock moved back, or not at all: it only moves forward."""
    return FieldProblem("forward_only", "the clock only moves forward: at least one hour")


def already_used() -> FieldProblem:
    """A name that must be unique (a username, an organisation's identifier) is taken."""
    return FieldProblem("already_used", "already used")


def not_a_managed_organisation() -> FieldProblem:
    """The organisation named does not exist or is not one the administrator manages."""
    return FieldProblem("not_a_managed_organisation", "not an organisation you manage")
