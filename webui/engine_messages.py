"""The engine's errors in the reader's language.

The engine writes its messages in English, for logs and API clients, and gives each error a stable
`code`; pages show the catalog's words for that code instead. Field problems of a task's form
(`engine.services.form_data`) are short fixed phrases, matched here one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def _limit(text: str) -> int:
    return int(text)


# Each field problem the engine writes, and its words here; the groups are the problem's parameters.
FIELD_PROBLEMS: tuple[tuple[re.Pattern, Callable[..., str]], ...] = (
    (re.compile(r"required"), lambda: _("This field is required.")),
    (re.compile(r"read-only"), lambda: _("This field cannot be changed.")),
    (re.compile(r"not a field of this (?:form|task)"), lambda: _("This is not a field of this form.")),
    (re.compile(r"must be true or false"), lambda: _("Choose yes or no.")),
    (re.compile(r"must be a whole number"), lambda: _("Enter a whole number.")),
    (re.compile(r"must be a date such as (\S+)"), lambda example: _("Enter a date such as %(example)s.", example=example)),
    (re.compile(r"must be one of .*"), lambda: _("Choose one of the options offered.")),
    (re.compile(r"must be text"), lambda: _("Enter text.")),
    (re.compile(r"not an email address"), lambda: _("Enter an email address.")),
    (re.compile(r"2 to 64 lowercase letters, digits, dots, dashes or underscores"),
     lambda: _("Use 2 to 64 lowercase letters, digits, dots, dashes or underscores.")),
    (re.compile(r"lowercase letters, digits and dashes"), lambda: _("Use lowercase letters, digits and dashes.")),
    (re.compile(r"at least (\d+) characters"),
     lambda n: ngettext("Enter at least %(num)d character.", "Enter at least %(num)d characters.", _limit(n))),
    (re.compile(r"at most (\d+) characters"),
     lambda n: ngettext("Enter at most %(num)d character.", "Enter at most %(num)d characters.", _limit(n))),
    (re.compile(r"at least (-?\d+)"), lambda n: _("Enter a number of at least %(limit)d.", limit=_limit(n))),
    (re.compile(r"at most (-?\d+)"), lambda n: _("Enter a number of at most %(limit)d.", limit=_limit(n))),
)


def field_message(problem: str) -> str:
    """One field problem in the current language (unknown problems are shown as the engine wrote them)."""
    for pattern, words in FIELD_PROBLEMS:
        match = pattern.fullmatch(str(problem))
        if match:
            return words(*match.groups())
    return str(problem)


def field_messages(problems: dict) -> dict[str, list[str]]:
    """Every field's problems (`InvalidData.errors`) in the current language."""
    return {
        name: [field_message(problem) for problem in (found if isinstance(found, (list, tuple)) else [found])]
        for name, found in (problems or {}).items()
    }
