"""The expression defaults SOP authors write in Camunda Modeler, filled in for the person about to submit a form.

A form field's `defaultValue` may be a Camunda expression. These few are understood, written exactly
so (spaces around them, and inside the braces, allowed), and never evaluated as code:

- `${currentUser()}` on a text field: the signed-in person's **display name**. Camunda gives the user
  id; here the field is read by people (the case's history, the referral's page, the coordination's
  exports), who know a colleague by name and not by login ("display names, not logins"), and a login
  is half of what signs an account in, not a thing to copy into case data. Who submitted the form is
  recorded anyway, by account, in the audit trail.
- `${now()}` on a date, time or date-and-time field, and `${today()}` on a date field: the case's day
  (and time) in Africa/Douala, from the clock of the step reading the form, as a date bound of
  "today" is (`${today()}` on a time is no time of day, and on a date-and-time either midnight or now:
  write `${now()}` there).

A Camunda Form (Camunda 8's form-js JSON, `engine.pathways.camunda_forms`) marks an expression with a
leading `=` and writes it in FEEL: there `=today()` and `=now()` are the same prefills. FEEL has no
name for the person filling the form in, nor does a Camunda Form: `${currentUser()}` written as the
default of a Camunda Form's text field fills it in. The `=` is read so only on a Camunda Form's
fields (which carry DEFAULT_LANGUAGE): in a Camunda 7 form field a default such as `=5` is text.

They are prefills, not defaults: the page shows the value filled in, and the JSON API describes it,
for the person to keep or change; the check on submission (`engine.pathways.form_check`) takes what
is submitted as it does any value, and an empty field stays empty (an expression default gives null,
as before). Nothing is stored unless the person submits it. Any other expression default is ignored
(the field starts empty), and the validator warns about it (`form.expression_default`), naming the
field and the expression as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from engine.pathways.forms import FieldSpec

EXPRESSION_MARK = "${"  # a default holding it is an expression, never a value as written
# A Camunda Form field's property saying its default is FEEL when it starts with FEEL_MARK (Camunda 8's mark).
DEFAULT_LANGUAGE, FEEL, FEEL_MARK = "aiguillage.default_language", "feel", "="
CURRENT_USER, NOW, TODAY = "currentUser", "now", "today"
_SUPPORTED = re.compile(r"\s*\$\{\s*(currentUser|now|today)\(\)\s*\}\s*")
_SUPPORTED_FEEL = re.compile(r"\s*=\s*(now|today)\(\)\s*")
# The field types each expression fills.
FILLS = {CURRENT_USER: ("string",), NOW: ("date", "time", "datetime"), TODAY: ("date",)}


@dataclass(frozen=True)
class PrefillFacts:
    """What the understood expressions stand for, for one person at one moment."""

    name: str | None  # the signed-in person's display name (None: not known, nothing is filled in)
    moment: datetime  # now, in the case's time zone (Africa/Douala)


def is_expression(field: FieldSpec) -> bool:
    """True when a field's default is an expression (understood or not) rather than a value."""
    return EXPRESSION_MARK in (field.default or "") or is_feel(field)


def is_feel(field: FieldSpec) -> bool:
    """True when the field's default is a Camunda Form's FEEL expression (`=...`)."""
    return field.properties.get(DEFAULT_LANGUAGE) == FEEL and (field.default or "").strip().startswith(FEEL_MARK)


def understood_expression(field: FieldSpec) -> str | None:
    """CURRENT_USER, NOW or TODAY when the field's default is that expression and fits its type; None otherwise."""
    found = (_SUPPORTED_FEEL if is_feel(field) else _SUPPORTED).fullmatch(field.default or "")
    if found is None or field.type not in FILLS[found.group(1)]:
        return None
    return found.group(1)


def resolved_text(field: FieldSpec, facts: PrefillFacts) -> str | None:
    """The field's understood expression default as the person would type it; None when there is none."""
    expression = understood_expression(field)
    if expression == CURRENT_USER:
        return facts.name or None
    if expression is None:
        return None
    if field.type == "time":
        return facts.moment.strftime("%H:%M")
    if field.type == "datetime":
        return facts.moment.strftime("%Y-%m-%dT%H:%M")
    return facts.moment.date().isoformat()
