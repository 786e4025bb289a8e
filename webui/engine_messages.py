"""The engine's errors in the reader's language.

The engine writes its messages in English, for logs and API clients, and gives each error a stable
`code`; pages show the catalog's words for that code instead. So it is for each problem with a
submitted field (`engine.field_problems`): its code and parameters choose the words here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import errors


def error_message(error: errors.AiguillageError) -> str:
    """What to tell a person about an engine error, in the current language."""
    messages = {
        errors.NotFound.code: _("What you asked for does not exist, or you may not see it."),
        errors.AccessDenied.code: _("You may not do this. Ask a supervisor or an administrator if you think you should."),
        errors.Conflict.code: _("This was changed by someone else in the meantime. Reload the page and try again."),
        errors.ConsentRequired.code: _(
            "No valid consent covers sharing this person's data with this organisation: record consent first."
        ),
        errors.InvalidData.code: _("Some of what you entered needs correcting."),
    }
    return messages.get(getattr(error, "code", None), _("The request failed."))


# The words for each field problem's code (`engine.field_problems`), filled in from its params.
FIELD_WORDS: dict[str, Callable[[dict], str]] = {
    "required": lambda p: _("This field is required."),
    "read_only": lambda p: _("This field cannot be changed."),
    "unknown_field": lambda p: _("This is not a field of this form."),
    "not_an_object": lambda p: _("Send the form's fields by name."),
    "not_boolean": lambda p: _("Choose yes or no."),
    "not_whole_number": lambda p: _("Enter a whole number."),
    "not_a_date": lambda p: _("Enter a date such as %(example)s.", example=p["example"]),
    "not_a_month": lambda p: _("Enter a month such as %(example)s.", example=p["example"]),
    "not_a_choice": lambda p: _("Choose one of the options offered."),
    "not_choices": lambda p: _("Choose among the options offered, each once."),
    "not_a_time": lambda p: _("Enter a time such as %(example)s.", example=p["example"]),
    "not_a_datetime": lambda p: _("Enter a date and a time such as %(example)s.", example=p["example"]),
    "no_pattern_match": lambda p: _("This does not have the expected form; check what you entered."),
    "not_text": lambda p: _("Enter text."),
    "control_characters": lambda p: _("Remove the control characters from this text."),
    "too_short": lambda p: ngettext("Enter at least %(num)d character.", "Enter at least %(num)d characters.", p["limit"]),
    "too_long": lambda p: ngettext("Enter at most %(num)d character.", "Enter at most %(num)d characters.", p["limit"]),
    "too_small": lambda p: _("Enter a number of at least %(limit)d.", limit=p["limit"]),
    "too_big": lambda p: _("Enter a number of at most %(limit)d.", limit=p["limit"]),
    "too_early": lambda p: _("Enter a date on or after %(date)s.", date=_date_words(p["limit"])),
    "too_late": lambda p: _("Enter a date on or before %(date)s.", date=_date_words(p["limit"])),
    "too_many_files": lambda p: ngettext("Send at most %(num)d file.", "Send at most %(num)d files.", p["limit"]),
    "bad_file_name": lambda p: _("Each file name must be a plain path inside the pathway's folder."),
    "not_an_email": lambda p: _("Enter an email address."),
    "bad_username": lambda p: _("Use 2 to 64 lowercase letters, digits, dots, dashes or underscores."),
    "bad_slug": lambda p: _("Use lowercase letters, digits and dashes."),
    "unknown_provider": lambda p: _("Choose a provider of the directory."),
    "provider_not_offering": lambda p: _("This provider does not offer this service in the case's region."),
    "no_such_user": lambda p: _("There is no user with this name."),
    "not_of_task_organisation": lambda p: _("This person is not of the organisation that must do this task."),
    "cannot_see_case": lambda p: _("This person may not see this case."),
    "cannot_handle_escalation": lambda p: _("This person may not handle this escalation."),
    "role_not_held_here": lambda p: _(
        "This organisation cannot hold these roles: coordinators and SOP authors work at the secretariat, "
        "focal points at service providers."),
    "role_not_grantable_to_self": lambda p: _("You cannot grant yourself a role; ask another administrator."),
    "not_a_managed_organisation": lambda p: _("Choose an organisation whose accounts you manage."),
    "already_used": lambda p: _("This is already used: choose another."),
    "forward_only": lambda p: _("The training clock only moves forward: enter at least one day or one hour."),
}


def _date_words(iso: str) -> str:
    """A date limit as the reader writes dates (the engine keeps it as ISO text for API clients)."""
    return format_date(date.fromisoformat(iso), "long")


def field_message(problem: str) -> str:
    """One field problem in the current language (one without a known code is shown as written)."""
    words = FIELD_WORDS.get(getattr(problem, "code", None))
    return words(problem.params) if words is not None else str(problem)


def field_messages(problems: dict) -> dict[str, list[str]]:
    """Every field's problems (`InvalidData.errors`) in the current language."""
    return {
        name: [field_message(problem) for problem in (found if isinstance(found, (list, tuple)) else [found])]
        for name, found in (problems or {}).items()
    }
