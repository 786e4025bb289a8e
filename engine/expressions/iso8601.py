"""Strict ISO 8601 durations, dates and cycles, limited to what SpiffWorkflow's timers can parse."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from engine.errors import ExpressionError

_NUMBER = r"\d{1,9}(?:[.,]\d{1,9})?"
_DURATION = re.compile(
    rf"""P(?:(?P<weeks>{_NUMBER})W
          |(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?(?:(?P<days>{_NUMBER})D)?)
        (?:T(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?(?:(?P<seconds>{_NUMBER})S)?)?""",
    re.VERBOSE | re.IGNORECASE,
)
_DESIGNATORS = {"years": "Y", "months": "M", "weeks": "W", "days": "D", "hours": "H", "minutes": "M", "seconds": "S"}
_DAYS_PER_UNIT = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440, "seconds": 1 / 86400}
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?", re.IGNORECASE
)
_CYCLE = re.compile(r"R(?P<repeat>\d{0,9})/(?P<first>[^/]+)(?:/(?P<second>[^/]+))?", re.IGNORECASE)

MAX_DAYS = 36_600  # a hundred years: longer is a typo, and Spiff counts months one by one
MAX_REPETITIONS = 1_000

DURATION_EXAMPLE = "write for example PT72H (72 hours), P3D (3 days) or P1W (1 week)"
DATE_EXAMPLE = "write for example 2026-12-01T08:00:00+01:00 or 2026-12-01"
CYCLE_EXAMPLE = "write for example R3/P30D (3 times, every 30 days) or R/P1D (every day)"


def shown(text: str) -> str:
    """A timer text quoted on one short line, for messages."""
    flat = " ".join(str(text).split())
    return '"' + (flat if len(flat) <= 60 else flat[:57] + "...") + '"'


def parse_duration(text: str) -> dict[str, float]:
    """The parts of an ISO 8601 duration such as P1Y2M10DT2H30M, or an ExpressionError."""
    match = _DURATION.fullmatch(text)
    parts = {name: value for name, value in (match.groupdict() if match else {}).items() if value is not None}
    has_time_designator = "T" in text.upper()
    time_parts = {"hours", "minutes", "seconds"} & parts.keys()
    if not match or not parts or (has_time_designator and not time_parts):
        raise ExpressionError(f'timer {shown(text)} is not an ISO 8601 duration; {DURATION_EXAMPLE}')
    order = [name for name in _DESIGNATORS if name in parts]
    # ISO 8601 (and Spiff) allow a fraction only on the smallest part written.
    if any(("." in parts[name] or "," in parts[name]) for name in order[:-1]):
        raise ExpressionError(f'timer {shown(text)}: only the last part of a duration may have a fraction')
    values = {name: float(parts[name].replace(",", ".")) for name in order}
    if sum(values[name] * _DAYS_PER_UNIT[name] for name in values) > MAX_DAYS:
        raise ExpressionError(f'timer {shown(text)} is longer than a hundred years')
    return values


def normal_duration(text: str) -> str:
    """The duration rewritten in upper case with '.' fractions, as Spiff parses it."""
    values = parse_duration(text)
    date_part = "".join(f"{_number(values[name])}{_DESIGNATORS[name]}" for name in ("years", "months", "weeks", "days") if name in values)
    time_part = "".join(f"{_number(values[name])}{_DESIGNATORS[name]}" for name in ("hours", "minutes", "seconds") if name in values)
    return "P" + date_part + ("T" + time_part if time_part else "")


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.9f}".rstrip("0")


def parse_moment(text: str) -> datetime:
    """A date or date-time in ISO 8601 calendar form, or an ExpressionError."""
    if "W" in text.upper() and text[:1].isdigit():
        raise ExpressionError(f'timer {shown(text)}: week dates are not supported; {DATE_EXAMPLE}')
    if not _DATETIME.fullmatch(text):
        raise ExpressionError(f'timer {shown(text)} is not an ISO 8601 date; {DATE_EXAMPLE}')
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ExpressionError(f'timer {shown(text)} is not a real date; {DATE_EXAMPLE}') from None


def normal_moment(text: str) -> str:
    """The date-time as Python's isoformat, which Spiff's get_datetime reads."""
    return parse_moment(text).isoformat()


def normal_cycle(text: str) -> str:
    """A checked cycle such as R3/P30D or R/2026-12-01T08:00:00Z/P1D, normalised for Spiff."""
    match = _CYCLE.fullmatch(text)
    if not match:
        raise ExpressionError(f'timer {shown(text)} is not an ISO 8601 cycle; {CYCLE_EXAMPLE}')
    repeat, first, second = match.group("repeat"), match.group("first"), match.group("second")
    if repeat and int(repeat) > MAX_REPETITIONS:
        raise ExpressionError(f'timer {shown(text)} repeats more than {MAX_REPETITIONS:,} times')
    first_is_duration = first[:1].upper() == "P"
    if second is None:
        if not first_is_duration:
            raise ExpressionError(f'timer {shown(text)}: a cycle needs a period such as P1D; {CYCLE_EXAMPLE}')
        parts = [normal_duration(first)]
        period = parts[0]
    elif first_is_duration == (second[:1].upper() == "P"):
        raise ExpressionError(f'timer {shown(text)}: a cycle needs one start (or end) date and one period; {CYCLE_EXAMPLE}')
    elif first_is_duration:
        parts, period = [normal_duration(first), normal_moment(second)], first
    else:
        parts, period = [normal_moment(first), normal_duration(second)], second
    if sum(parse_duration(period).values()) == 0:
        raise ExpressionError(f'timer {shown(text)}: the period of a cycle must be longer than zero')
    return "/".join([f"R{repeat}"] + parts)


def format_duration(value: timedelta) -> str:
    """An ISO 8601 duration for a timedelta: timedelta(days=3, hours=2) -> P3DT2H."""
    if value < timedelta(0):
        raise ExpressionError(f"a timer duration cannot be negative ({value})")
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date_part = f"{value.days}D" if value.days else ""
    second_text = f"{seconds}.{value.microseconds:06d}".rstrip("0") if value.microseconds else str(seconds)
    time_part = "".join(
        f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M"), (second_text, "S")) if amount not in (0, "0")
    )
    if not date_part and not time_part:
        return "PT0S"
    return "P" + date_part + ("T" + time_part if time_part else "")
