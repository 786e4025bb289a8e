"""The one check of what a person submits through a task's form, whoever submits it.

The services (pages, JSON API, command line) and the in-memory scenario runner all call
`clean_form_data`, so the same submission gets the same answer everywhere:

- the data is a mapping of field ids to values; a name the form does not have is refused;
- text is put in Unicode's composed form (NFC) and trimmed; an empty value (missing, null, blank) is refused when the field is required,
  and otherwise stands for the field's default, else None. Every writable field thus gets a value
  in the cleaned data, so that a pathway can test any of them (`if need_health`) as it would an
  unticked box of a web form;
- a read-only field is shown, never written: a value for it is refused, and the cleaned data
  leaves it out, so that what the case already holds under that name is kept;
- each type converts: `string` to trimmed text without control characters (at most MAX_TEXT
  characters even without a `maxlength`), `long` to a whole number within Java's long range (digits as text are accepted),
  `boolean` from true/false (or their text), `date` to ISO `YYYY-MM-DD` text (Camunda's
  `dd/MM/yyyy` too), `enum` to one of its option ids, `enum_list` to a list of its option ids
  (each once, in the options' order; one id alone stands for a list of one), `time` to `HH:MM`,
  `datetime` to `YYYY-MM-DDTHH:MM` (the installation's time zone, as people read the clock);
- then the limits of the diagram apply: `minlength`/`maxlength` and `pattern` to text (a patterned
  text has at most MAX_PATTERN_VALUE characters), `min`/`max` to numbers and dates (a date's `max`
  may be `today`: no consent dated in the future; without a `min`, no date before EARLIEST_DATE);
- then the rules the pathway declares on its fields (`engine.pathways.form_rules`): an empty field
  with `aiguillage.default_from` takes the value the case holds under that name (`context`, the
  task's data) when the field accepts it, before its own default; a field whose
  `aiguillage.required_when` condition holds over the form's values is refused when empty; a field
  whose `aiguillage.hidden_when` condition holds over the case's data and the form's values is not
  the person's to fill: what was sent for it is set aside, it takes its default and nothing about
  it is refused.

An expression default (`${...}`, or a Camunda Form's FEEL `=...`) gives nothing here: the few a form fills
in for the person (`${currentUser()}`, `${now()}`, `${today()}`, `=now()`, `=today()`:
`engine.pathways.form_prefill`) are shown on the page
(`prefilled`) and come back, kept or changed, as any value the person submits.

Every field's problems are reported at once, each a `FieldProblem` with a stable code, in an
`InvalidData` whose `errors` maps field ids to them; nothing is converted half-way.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from engine import field_problems as problem
from engine.errors import InvalidData
from engine.field_problems import FieldProblem
from engine.pathways.form_prefill import PrefillFacts, is_expression, resolved_text
from engine.pathways.form_rules import REQUIRED_WHEN, carried_value, hidden_now, names_in, required_now, rule_of
from engine.untrusted_values import CONTROL_CHARACTERS as _CONTROL
from engine.pathways.forms import (
    EARLIEST_DATE, LONG_MAX, LONG_MIN, MAX_PATTERN_VALUE, MAX_TEXT, TODAY, FieldSpec, FormSpec, compile_pattern,
    form_spec_of, parse_date,
)

# Digits as text, with a sign: one more digit than a long holds, so that the range check names the limit.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,20}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::[0-5][0-9](?:\.[0-9]{1,6})?)?")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ](.{5,15})")


class _Refused(Exception):
    """A value that cannot be converted to its field's type; carries the problem."""

    def __init__(self, found: FieldProblem):
        super().__init__(str(found))
        self.problem = found


def clean_form_data(form: Any, data: Any, context: Mapping[str, Any] | None = None, today: date | None = None) -> dict[str, Any]:
    """`data` checked and converted by `form` (a FormSpec, a SpiffWorkflow form, or None for a task
    without one), with `context` the data the case holds at the task; InvalidData naming every
    wrong field otherwise. `today` is what a date bound of "today" means (not checked without it)."""
    spec = form_spec_of(form)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InvalidData("the submitted data must be a set of named fields", {"_form": [problem.not_an_object()]})
    if spec is None:
        if data:
            raise InvalidData("this task has no form; it takes no data",
                              {str(name): [problem.unknown_field("task")] for name in data})
        return {}
    fields = {field.id: field for field in spec.fields if field.id}
    errors: dict[str, list[FieldProblem]] = {
        str(name): [problem.unknown_field()] for name in data if not isinstance(name, str) or name not in fields
    }
    cleaned: dict[str, Any] = {}
    context = context or {}
    for name, field in fields.items():
        found = _field_problems(field, data.get(name), cleaned, context, today)
        if found:
            errors[name] = found
    # Conditions read the form's values as cleaned, a read-only field what the case holds; a field
    # refused above is left out, so that no condition reads a value from an earlier turn instead.
    values = {**{name: context.get(name) for name, field in fields.items() if field.readonly}, **cleaned}
    hidden = hidden_fields(spec, {**context, **values}, errors)
    for name in hidden:
        errors.pop(name, None)
        if not fields[name].readonly:
            cleaned[name] = values[name] = default_value(fields[name])
    for name, field in fields.items():
        if name not in errors and name not in hidden and not field.readonly and cleaned.get(name) is None and required_now(field, values):
            errors[name] = [problem.required()]
    if errors:
        count = len(errors)
        raise InvalidData(f"{count} field{'s' if count != 1 else ''} to correct: {', '.join(sorted(errors))}", errors)
    return cleaned


def hidden_fields(spec: FormSpec, values: Mapping[str, Any], refused: Mapping[str, Any] = {}) -> set[str]:
    """The fields not shown for these values (the case's data and the form's, as the form keeps them).

    A field refused (in `refused`) is left out of what the conditions read: its own problem comes first.
    """
    readable = {name: value for name, value in values.items() if name not in refused}
    return {field.id for field in spec.fields if field.id and hidden_now(field, readable)}


def hidden_on_page(form: Any, context: Mapping[str, Any] | None, entered: Mapping[str, Any] | None = None,
                   prefills: Mapping[str, Any] | None = None) -> set[str]:
    """The fields not shown to a person about to fill the form: decided over the case's data, each
    field's starting value (carried from the case, else what the form fills in for them, `prefills` by
    field id as `prefilled` gives it, else its default) and what they entered before a refusal, so
    that the page needs no script to show the fields that apply.

    A prefill counts only when the page is first shown (nothing `entered`): after a refusal the page
    shows what was sent, and a prefill the person emptied is empty, as the check on submission reads it.
    """
    spec = form_spec_of(form)
    if spec is None:
        return set()
    context = context or {}
    starting = (prefills or {}) if entered is None else {}
    values = dict(context)
    for field in spec.fields:
        if field.id and not field.readonly:
            start = carried_initial(field, context)
            if start is None:
                start = starting.get(field.id)
            values[field.id] = start if start is not None else default_value(field)
    values.update(entered_values(spec, entered))
    return hidden_fields(spec, values)


def entered_values(form: Any, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a person entered, as the form would keep it, for the fields it converts (the others left out):
    what the page reads to decide which fields to show again after a refusal."""
    spec = form_spec_of(form)
    found: dict[str, Any] = {}
    if spec is None or not isinstance(data, Mapping):
        return found
    for field in spec.fields:
        value = _as_typed(data.get(field.id))
        if field.readonly or value is None or value == "" or value == []:
            continue
        try:
            found[field.id] = _converted(field, value)
        except _Refused:
            continue
    return found


def fields_that_apply(form: Any, submitted: Mapping[str, Any] | None, context: Mapping[str, Any] | None) -> dict[str, bool | None]:
    """For each field of `form`: True when it applies (required, if it has a `required_when`); None when
    its condition cannot be decided yet or reads an answer of this form that does not make it required
    now (the page shows it with its condition in words); False when the case's own values say it is not
    needed now (shown as an ordinary optional field). No field is taken off the page.

    What is known: after a submission (`submitted`, even with problems) every answer, an empty one
    standing for what the check would put in its place; before one, the values carried from the case
    (`context`) and what the case already holds. A field the person has not answered is unknown.
    """
    spec = form_spec_of(form)
    if spec is None:
        return {}
    context = context or {}
    values: dict[str, Any] = {}
    for field in spec.fields:
        if not field.id:
            continue
        if field.readonly:
            values[field.id] = context.get(field.id)
            continue
        raw = _as_typed(submitted.get(field.id) if submitted is not None else None)
        if raw is not None and raw != "":
            try:
                values[field.id] = _converted(field, raw)
            except _Refused:
                pass  # a refused answer decides nothing
            continue
        carried = carried_initial(field, context)
        if carried is not None:
            values[field.id] = carried
        elif submitted is not None:
            values[field.id] = default_value(field)
        elif context.get(field.id) is not None:
            values[field.id] = context[field.id]
    found: dict[str, bool | None] = {}
    own = {field.id for field in spec.fields if field.id and not field.readonly}  # what the person answers here
    for field in spec.fields:
        condition = rule_of(field, REQUIRED_WHEN)
        names = names_in(condition) if condition else set()
        if not condition:
            found[field.id] = True
        elif any(name not in values for name in names):
            found[field.id] = None
        elif not any(name in own for name in names):
            # Decided by the case alone (e.g. a reason required from the fifth attempt on): the field
            # stays on the page as an ordinary optional one until then.
            found[field.id] = required_now(field, values)
        else:
            # Read from an answer on this form, which the person can still change on the page: the
            # field stays (with its condition in words) whatever that answer is now. Leaving it out
            # would hide it from whoever changes the answer, or let a default stand unasked.
            found[field.id] = True if required_now(field, values) else None
    return found


def _field_problems(field: FieldSpec, value: Any, cleaned: dict[str, Any], context: Mapping[str, Any],
                    today: date | None = None) -> list[FieldProblem]:
    """Check one field's value; on success put what the case keeps into `cleaned`."""
    value = _as_typed(value)
    empty = value is None or value == "" or value == []
    if field.readonly:
        return [] if empty else [problem.read_only()]
    if empty:
        carried = carried_initial(field, context)
        if carried is not None:
            cleaned[field.id] = carried
            return []
        cleaned[field.id] = default_value(field)
        return [problem.required()] if field.required else []
    try:
        converted = _converted(field, value)
    except _Refused as refused:
        return [refused.problem]
    found = _limit_problems(field, converted, today)
    if not found:
        cleaned[field.id] = converted
    return found


def _as_typed(value: Any) -> Any:
    """Text as a person meant it: composed (NFC) and trimmed; any other value as given.

    The same letter may come as one code point (é) or as a letter and a combining accent (e + ◌́),
    depending on the keyboard or the text it was pasted from. Composed, an alias is stored one way
    whoever typed it, and a length limit counts what a reader sees as letters: NFC code points, which
    is one per letter for the Latin, French and Arabic text the pathways hold (a letter with two
    accents, or an emoji of several code points, still counts more than one).
    """
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value).strip()


def carried_initial(field: FieldSpec, context: Mapping[str, Any] | None) -> Any:
    """The value carried from the case (`aiguillage.default_from`) as the field keeps it; None when
    there is none or the field would not accept it (an empty field then takes its own default)."""
    carried = carried_value(field, context)
    if carried is None:
        return None
    try:
        converted = _converted(field, carried)
    except _Refused:
        return None
    return None if _limit_problems(field, converted) else converted


def default_value(field: FieldSpec) -> Any:
    """The field's default as the case keeps it; None without one, or when it is an expression or unusable."""
    text = (field.default or "").strip()
    if not text or is_expression(field):
        return None
    try:
        if field.type == "enum_list":
            # Several options are written as a JSON list (what a Camunda Form's default is).
            return _choices(field, json.loads(text)) or None
        return _converted(field, text)
    except (ValueError, RecursionError, _Refused):
        return None


def prefilled(field: FieldSpec, facts: PrefillFacts) -> Any:
    """The value the form shows filled in for the field from its understood expression default
    (`engine.pathways.form_prefill`), as the field keeps it; None without one, for a read-only field, or
    when the field would refuse it (a name longer than its maxlength): a prefill is never a refusal."""
    text = None if field.readonly else resolved_text(field, facts)
    if text is None:
        return None
    try:
        converted = _converted(field, text)
    except _Refused:
        return None
    return None if _limit_problems(field, converted, facts.moment.date()) else converted


def _converted(field: FieldSpec, value: Any) -> Any:
    kind = field.type.lower()
    if kind == "boolean":
        return _boolean(value)
    if kind == "long":
        return _whole_number(value)
    if kind == "date":
        return _date(value)
    if kind == "enum":
        allowed = [option.id for option in field.values]
        if not isinstance(value, str) or value not in allowed:
            raise _Refused(problem.not_a_choice(allowed))
        return value
    if kind == "enum_list":
        return _choices(field, value)
    if kind == "time":
        return _time(value)
    if kind == "datetime":
        return _datetime(value)
    # `string`, and any type validation would have refused: text is the safe reading.
    if not isinstance(value, str):
        raise _Refused(problem.not_text())
    if _CONTROL.search(value):
        raise _Refused(problem.control_characters())
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _Refused(problem.not_boolean())


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise _Refused(problem.not_whole_number())
    if isinstance(value, int):
        return value
    # JSON from a browser may write 3 as 3.0; NaN, Infinity and 2.5 are not whole numbers.
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    raise _Refused(problem.not_whole_number())


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise _Refused(problem.not_a_date())
    try:
        return parse_date(value).isoformat()
    except ValueError:
        raise _Refused(problem.not_a_date()) from None


def _choices(field: FieldSpec, value: Any) -> list[str]:
    allowed = [option.id for option in field.values]
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, (list, tuple)) or not all(isinstance(item, str) and item in allowed for item in chosen) \
            or len(set(chosen)) != len(chosen):
        raise _Refused(problem.not_choices(allowed))
    return [option for option in allowed if option in chosen]


def _time(value: Any) -> str:
    found = _TIME.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise _Refused(problem.not_a_time())
    return f"{found.group(1)}:{found.group(2)}"


def _datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    found = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    try:
        if found is None:
            raise ValueError
        return f"{parse_date(found.group(1)).isoformat()}T{_time(found.group(2))}"
    except (ValueError, _Refused):
        raise _Refused(problem.not_a_datetime()) from None


def _limit_problems(field: FieldSpec, value: Any, today: date | None = None) -> list[FieldProblem]:
    kind = field.type.lower()
    found = []
    if kind == "long":
        low, high = _number_bound(field, "min", LONG_MIN), _number_bound(field, "max", LONG_MAX)
        if value < low:
            found.append(problem.too_small(low))
        if value > high:
            found.append(problem.too_big(high))
    elif kind in ("date", "datetime"):
        low, high = _date_bounds(field, today)
        if isinstance(low, date) and value < low.isoformat():
            found.append(problem.too_early(low))
        if isinstance(high, date) and value > high.isoformat():
            found.append(problem.too_late(high))
    elif isinstance(value, str) and kind != "enum":
        shortest, longest = field.bound("minlength"), _longest(field)
        pattern = field.constraints.get("pattern")
        if shortest is not None and len(value) < shortest:
            found.append(problem.too_short(shortest))
        if len(value) > longest:
            found.append(problem.too_long(longest))
        elif pattern and _pattern(pattern) is not None and not _pattern(pattern).fullmatch(value):
            found.append(problem.no_pattern_match(pattern))
    return found


def _date_bounds(field: FieldSpec, today: date | None) -> tuple[date | None, date | None]:
    """The first and last dates a date field takes: its `min` (EARLIEST_DATE without one) and its `max`,
    `today` standing for the day given (None when not given: that bound is then not checked)."""
    # A date-and-time field has neither (validation refuses them on it): it only starts at EARLIEST_DATE.
    low, high = (today if bound == TODAY else bound for bound in (field.bound("min"), field.bound("max")))
    if field.constraints.get("min") is None:
        low = EARLIEST_DATE
    return (low if isinstance(low, date) else None), (high if isinstance(high, date) else None)


def _longest(field: FieldSpec) -> int:
    """The most characters a text field takes: its `maxlength`, at most MAX_TEXT (MAX_PATTERN_VALUE with a pattern)."""
    longest = field.bound("maxlength")
    longest = MAX_TEXT if longest is None else min(longest, MAX_TEXT)
    return min(longest, MAX_PATTERN_VALUE) if field.constraints.get("pattern") else longest


def input_limits(form: Any, today: date | None) -> dict[str, dict[str, str]]:
    """What a browser can check before a form is sent, by field id, as input attributes: `maxlength` of
    a text field with a declared limit (or a pattern), `min`/`max` of a date field (EARLIEST_DATE without
    a `min`; "today" as the day given). The check on submission stays the authority: these only spare a
    person a refusal, and a number's range is left to it (its refusal names the limit beside the field).

    A browser counts a maxlength in UTF-16 units of the text as typed: the check's count for composed
    text, stricter for decomposed text or characters beyond the Basic Multilingual Plane (emoji)."""
    spec = form_spec_of(form)
    found: dict[str, dict[str, str]] = {}
    for field in spec.fields if spec is not None else ():
        if field.readonly or not field.id:
            continue
        kind, limits = field.type.lower(), {}
        if kind == "date":
            low, high = _date_bounds(field, today)
            limits.update({name: bound.isoformat() for name, bound in (("min", low), ("max", high)) if bound is not None})
        elif kind == "string" and (field.bound("maxlength") is not None or field.constraints.get("pattern")):
            limits["maxlength"] = str(_longest(field))
        if limits:
            found[field.id] = limits
    return found


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern | None:
    """The field's pattern compiled once (None for one validation refuses: it never runs)."""
    try:
        return compile_pattern(text)
    except ValueError:
        return None


def _number_bound(field: FieldSpec, name: str, extreme: int) -> int:
    # A limit beyond what a long holds cannot widen the field's range.
    bound = field.bound(name)
    if not isinstance(bound, int):
        return extreme
    return max(bound, LONG_MIN) if name == "min" else min(bound, LONG_MAX)
