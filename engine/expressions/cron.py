"""Cron timer cycles as Camunda 7 writes them (Quartz: seconds minutes hours day-of-month month day-of-week [year]).

    schedule = parse_cron("0 0/5 * * * ?")       # every five minutes
    schedule.next_after(moment)                  # the next firing, strictly after `moment`

Times are read in the installation's time zone: `next_after` works on an aware datetime in that
zone and returns one in the same zone. Supported: numbers, `*`, `?`, ranges `a-b`, lists `a,b`,
steps `*/n` and `a/n`, month and day names (JAN, MON). Quartz's `L`, `W` and `#` are refused by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.errors import ExpressionError

# Each field: digits and * ? / , - L W #, or three-letter month or day names (JAN, MON-FRI).
_FIELD = r"(?:[0-9*?/,\-LW#]+|[A-Z]{3}(?:[-,][A-Z]{3})*(?:/\d+)?)"
CRON_SHAPE = re.compile(rf"^{_FIELD}(?:\s+{_FIELD}){{4,6}}$")
_MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
# Quartz counts days of the week from Sunday = 1.
_DAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
_SEARCH_DAYS = 366 * 5


@dataclass(frozen=True)
class CronSchedule:
    """The allowed values of each field; an empty day set means "no constraint" (Quartz's ?)."""

    text: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None
    months: frozenset[int]
    weekdays: frozenset[int] | None  # Quartz numbering: Sunday = 1
    years: frozenset[int] | None

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (same time zone); ExpressionError if none within five years."""
        start = moment.replace(microsecond=0) + timedelta(seconds=1)
        for offset in range(_SEARCH_DAYS):
            day = (start + timedelta(days=offset)).date()
            if not self._day_matches(day):
                continue
            first = offset == 0
            for hour in sorted(self.hours):
                if first and hour < start.hour:
                    continue
                for minute in sorted(self.minutes):
                    if first and hour == start.hour and minute < start.minute:
                        continue
                    for second in sorted(self.seconds):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=moment.tzinfo)
                        if candidate >= start:
                            return candidate
        raise ExpressionError(f'cron timer "{self.text}" never fires in the next five years')

    def _day_matches(self, day) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        weekday = day.isoweekday() % 7 + 1
        by_day = self.days is None or day.day in self.days
        by_weekday = self.weekdays is None or weekday in self.weekdays
        if self.days is not None and self.weekdays is not None:
            return by_day or by_weekday  # classic cron: either restriction
        return by_day and by_weekday


def is_cron(text: str) -> bool:
    """True when the text has the shape of a cron expression (five to seven fields)."""
    return bool(CRON_SHAPE.match(text.strip()))


def parse_cron(text: str) -> CronSchedule:
    """The schedule of a Quartz or classic cron text; ExpressionError naming the field otherwise."""
    fields = text.split()
    if len(fields) == 5:
        fields = ["0", *fields]  # classic five-field cron: no seconds
    if not 6 <= len(fields) <= 7:
        raise ExpressionError(f'cron timer "{text}" needs 6 or 7 fields (seconds minutes hours day month weekday [year])')
    names = ("seconds", "minutes", "hours", "day of month", "month", "day of week", "year")
    limits = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))
    values = []
    for field, name, (low, high) in zip(fields, names, limits):
        aliases = _MONTHS if name == "month" else _DAYS if name == "day of week" else {}
        values.append(_field(field, name, low, high, aliases, text))
    seconds, minutes, hours, days, months, weekdays = values[:6]
    years = values[6] if len(values) == 7 else None
    return CronSchedule(text, seconds, minutes, hours, days, months or frozenset(range(1, 13)), weekdays, years)


def _field(field: str, name: str, low: int, high: int, aliases: dict, text: str) -> frozenset[int] | None:
    if field == "?" or (field == "*" and name in ("day of month", "day of week", "year")):
        return None
    if any(mark in field.upper() for mark in ("L", "W", "#")) and not any(alias in field.upper() for alias in aliases):
        raise ExpressionError(f'cron timer "{text}": the {name} "{field}" uses L, W or #, which are not supported; list the days instead')
    allowed: set[int] = set()
    for part in field.split(","):
        allowed |= _part(part, name, low, high, aliases, text)
    return frozenset(allowed)


def _part(part: str, name: str, low: int, high: int, aliases: dict, text: str) -> set[int]:
    step = 1
    if "/" in part:
        part, _, step_text = part.partition("/")
        step = _number(step_text, name, 1, high - low + 1, {}, text)
    if part in ("*", ""):
        first, last = low, high
    elif "-" in part:
        start, _, end = part.partition("-")
        first, last = _number(start, name, low, high, aliases, text), _number(end, name, low, high, aliases, text)
    else:
        first = _number(part, name, low, high, aliases, text)
        last = high if step > 1 else first
    if first > last:
        raise ExpressionError(f'cron timer "{text}": the {name} range {first}-{last} is backwards')
    return set(range(first, last + 1, step))


def _number(word: str, name: str, low: int, high: int, aliases: dict, text: str) -> int:
    value = aliases.get(word.upper()) if not word.isdigit() else int(word)
    if value is None or not low <= value <= high:
        raise ExpressionError(f'cron timer "{text}": the {name} "{word}" must be from {low} to {high}')
    return value
