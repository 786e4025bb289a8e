"""The functions, methods and attributes an expression may use; nothing else is reachable."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from engine.errors import ExpressionError
from engine.expressions.limits import MAX_ITEMS, MAX_ROUND_DIGITS, too_large

_NO_DEFAULT = object()


def _min(*values: Any, default: Any = _NO_DEFAULT) -> Any:
    """min(list) or min(a, b, ...); default=... for an empty list."""
    items = values[0] if len(values) == 1 else values
    return min(items) if default is _NO_DEFAULT else min(items, default=default)


def _max(*values: Any, default: Any = _NO_DEFAULT) -> Any:
    """max(list) or max(a, b, ...); default=... for an empty list."""
    items = values[0] if len(values) == 1 else values
    return max(items) if default is _NO_DEFAULT else max(items, default=default)


def _sum(values: Iterable, start: Any = 0) -> Any:
    """Sum of numbers (or of durations, with start=timedelta())."""
    total = start
    for value in values:
        if not isinstance(value, (int, float, timedelta)):
            raise ExpressionError(f"sum() adds numbers or durations, not {type_name(value)}")
        total = total + value
    return total


def _round(number: Any, ndigits: int | None = None) -> Any:
    """round(x) or round(x, digits), digits between -15 and 15."""
    if ndigits is None:
        return round(number)
    if not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS:
        raise ExpressionError(f"round() takes between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS} digits")
    return round(number, ndigits)


def _str(value: Any = "") -> str:
    """The text of a value; dates as ISO 8601."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _sorted(values: Iterable, reverse: bool = False) -> list:
    """A sorted copy of a list."""
    return sorted(values, reverse=bool(reverse))


def compact(values: Iterable) -> list:
    """The list without its None and empty-text items."""
    return [value for value in values if value is not None and value != ""]


def pluck(records: Iterable, key: str) -> list:
    """The value of one key in each record of a list of dicts (None where missing)."""
    return [record.get(key) if isinstance(record, dict) else None for record in records]


def is_empty(value: Any) -> bool:
    """True for None, an empty text (blanks only) and an empty list or dict (JUEL's `empty`)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return len(value) == 0
    return False


def _date(year: Any, month: int | None = None, day: int | None = None) -> date:
    """A calendar date: date(2026, 12, 1) or date('2026-12-01')."""
    if month is None and day is None:
        return parse_date(year)
    return date(year, month, day)


def _datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment in UTC."""
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


def _timedelta(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0, weeks: float = 0) -> timedelta:
    """A duration."""
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, weeks=weeks)


def parse_date(value: Any) -> date:
    """A date from an ISO 8601 text such as 2026-12-01 (a datetime gives its date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ExpressionError(f"parse_date() needs a text like 2026-12-01, not {type_name(value)}")
    text = value.strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) > 10 and text[10] in "T " else date.fromisoformat(text)
    except ValueError:
        raise ExpressionError(f"parse_date(): {value!r} is not a date like 2026-12-01") from None


def parse_datetime(value: Any) -> datetime:
    """A moment from an ISO 8601 text; texts without an offset are taken as UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ExpressionError(
                f"parse_datetime(): {value!r} is not a date and time like 2026-12-01T08:00:00+01:00"
            ) from None
    else:
        raise ExpressionError(f"parse_datetime() needs a text, not {type_name(value)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def days_between(start: Any, end: Any) -> int:
    """Whole calendar days from start to end (negative when end is earlier)."""
    return (parse_date(end) - parse_date(start)).days


def add_days(day: Any, days: int) -> Any:
    """The date (or moment) a number of days later; a text gives a date."""
    if not isinstance(days, (int, float)) or isinstance(days, bool):
        raise ExpressionError(f"add_days() needs a number of days, not {type_name(days)}")
    base = day if isinstance(day, (date, datetime)) else parse_date(day)
    return base + timedelta(days=days)


SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": _min,
    "max": _max,
    "sum": _sum,
    "any": any,
    "all": all,
    "round": _round,
    "abs": abs,
    "int": int,
    "float": float,
    "str": _str,
    "bool": bool,
    "sorted": _sorted,
    "list": list,
    "set": set,
    "dict": dict,
    "tuple": tuple,
    "compact": compact,
    "pluck": pluck,
    "is_empty": is_empty,
    "date": _date,
    "datetime": _datetime,
    "timedelta": _timedelta,
    "parse_date": parse_date,
    "parse_datetime": parse_datetime,
    "days_between": days_between,
    "add_days": add_days,
}


# Keyword arguments each function accepts (None: any name, as in dict(a=1)).
FUNCTION_KEYWORDS: dict[str, frozenset[str] | None] = {name: frozenset() for name in SAFE_FUNCTIONS}
FUNCTION_KEYWORDS.update(
    min=frozenset({"default"}), max=frozenset({"default"}), sum=frozenset({"start"}),
    round=frozenset({"ndigits"}), sorted=frozenset({"reverse"}), int=frozenset({"base"}), dict=None,
    date=frozenset({"year", "month", "day"}),
    datetime=frozenset({"year", "month", "day", "hour", "minute", "second"}),
    timedelta=frozenset({"days", "hours", "minutes", "seconds", "weeks"}),
)


def _join(separator: str, items: Iterable) -> str:
    items = list(items)
    if any(not isinstance(item, str) for item in items):
        raise ExpressionError("join() needs a list of texts")
    if sum(len(item) for item in items) + len(separator) * len(items) > MAX_ITEMS:
        raise too_large()
    return separator.join(items)


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    if not isinstance(old, str) or not isinstance(new, str):
        raise ExpressionError("replace() needs two texts")
    hits = text.count(old) if count < 0 else min(count, text.count(old))
    if len(text) + hits * (len(new) - len(old)) > MAX_ITEMS:
        raise too_large()
    return text.replace(old, new, count)


def _as_list(method: str) -> Callable[[dict], list]:
    # Views of a dict would expose more than values; give plain lists.
    return lambda mapping: list(getattr(mapping, method)())


_STR_METHODS = {
    name: getattr(str, name)
    for name in (
        "lower upper strip lstrip rstrip startswith endswith split rsplit splitlines title "
        "capitalize casefold count find rfind index isdigit isalpha isalnum isnumeric "
        "isspace islower isupper"
    ).split()
}
_STR_METHODS.update(join=_join, replace=_replace)
_SEQUENCE_METHODS = {"count": lambda seq, item: seq.count(item), "index": lambda seq, item: seq.index(item)}
_SET_METHODS = {
    "union": lambda items, *others: set(items).union(*others),
    "intersection": lambda items, *others: set(items).intersection(*others),
    "difference": lambda items, *others: set(items).difference(*others),
    "issubset": lambda items, other: set(items).issubset(other),
    "issuperset": lambda items, other: set(items).issuperset(other),
}
_DATE_METHODS = {
    "isoformat": lambda value: value.isoformat(),
    "weekday": lambda value: value.weekday(),
    "isoweekday": lambda value: value.isoweekday(),
}

# Methods by the exact type of the object; subclasses get nothing but dicts (see method_of).
METHODS: dict[type, dict[str, Callable[..., Any]]] = {
    str: _STR_METHODS,
    list: _SEQUENCE_METHODS,
    tuple: _SEQUENCE_METHODS,
    dict: {
        "get": lambda mapping, key, default=None: mapping.get(key, default),
        "keys": _as_list("keys"),
        "values": _as_list("values"),
        "items": _as_list("items"),
    },
    set: _SET_METHODS,
    frozenset: _SET_METHODS,
    date: _DATE_METHODS,
    datetime: {**_DATE_METHODS, "date": lambda value: value.date()},
    timedelta: {"total_seconds": lambda value: value.total_seconds()},
}
METHOD_NAMES = frozenset(name for methods in METHODS.values() for name in methods)

PROPERTIES: dict[type, frozenset[str]] = {
    date: frozenset({"year", "month", "day"}),
    datetime: frozenset({"year", "month", "day", "hour", "minute", "second"}),
    timedelta: frozenset({"days", "seconds"}),
}

# Refused by name even where they could be dict keys: they are the usual escape routes.
FORBIDDEN_ATTRIBUTES = frozenset(
    {"format", "format_map", "mro", "gi_frame", "f_globals", "f_locals", "func_globals", "tb_frame"}
)


def kind_of(value: Any) -> type | None:
    """The whitelisted type a value is treated as, or None."""
    kind = type(value)
    if kind in METHODS:
        return kind
    if isinstance(value, dict):
        return dict
    return None


def method_of(value: Any, name: str) -> Callable[..., Any]:
    """The allowed method `name` of the value, or a one-line refusal."""
    methods = METHODS.get(kind_of(value), {})
    if name not in methods:
        allowed = ", ".join(sorted(methods)) or "none"
        raise ExpressionError(f"'{name}' is not an allowed method of {type_name(value)} (allowed: {allowed})")
    return methods[name]


def type_name(value: Any) -> str:
    """The name an SOP author knows a value's type by."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a text", list: "a list",
             tuple: "a list", dict: "a dict", set: "a set", frozenset: "a set", datetime: "a date and time",
             date: "a date", timedelta: "a duration"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    return "a dict" if isinstance(value, dict) else "an unsupported value"
