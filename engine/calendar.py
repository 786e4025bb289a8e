"""Working days and deadline arithmetic: Monday to Friday minus public holidays, in local time.

Working time is the time that falls on working days, counted on the local wall clock. A working
day is worth 24 hours of working time, so in working mode ``P1D`` and ``PT24H`` are the same
deadline and ``P1W`` is five working days. The full rules are in the SOP author's guide
(section "Deadlines in working days").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from engine.errors import DurationError

_DAY = timedelta(days=1)
_WORKING_WEEK = 5

# ISO 8601 durations as pathway authors write them: PnYnMnWnDTnHnMnS, any part optional.
# Fractions are allowed in the time part only (PT1.5H); a half working day is not a thing.
_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)


@dataclass(frozen=True)
class IsoDuration:
    """An ISO 8601 duration split into the parts whose meaning depends on the calendar."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    clock_time: timedelta = timedelta(0)

    @property
    def has_months_or_years(self) -> bool:
        return bool(self.years or self.months)


def parse_iso_duration(text: str) -> IsoDuration:
    """Parse an ISO 8601 duration such as P3D, PT72H, P2W or P1DT4H; DurationError if it is not one."""
    if not isinstance(text, str):
        raise DurationError(f"duration {text!r} is not ISO 8601 text; write for example P3D or PT72H")
    cleaned = text.strip().strip("\"'").strip().upper()
    match = _DURATION.match(cleaned)
    if not match or cleaned in ("P", "PT") or cleaned.endswith("T"):
        raise DurationError(f'duration "{text}" is not an ISO 8601 duration; write for example P3D or PT72H')
    parts = {name: value.replace(",", ".") for name, value in match.groupdict().items() if value is not None}
    clock_time = timedelta(
        hours=float(parts.get("hours", 0)),
        minutes=float(parts.get("minutes", 0)),
        seconds=float(parts.get("seconds", 0)),
    )
    return IsoDuration(
        years=int(parts.get("years", 0)),
        months=int(parts.get("months", 0)),
        weeks=int(parts.get("weeks", 0)),
        days=int(parts.get("days", 0)),
        clock_time=clock_time,
    )


def working_duration(duration: str | timedelta) -> timedelta:
    """The amount of working time a duration stands for (a week is five working days)."""
    if isinstance(duration, timedelta):
        amount = duration
    else:
        parsed = parse_iso_duration(duration)
        if parsed.has_months_or_years:
            raise DurationError(
                f'duration "{duration}" uses months or years, which have no fixed number of working days; '
                "write it in working days or weeks (for example P20D or P4W)"
            )
        amount = (parsed.weeks * _WORKING_WEEK + parsed.days) * _DAY + parsed.clock_time
    if amount < timedelta(0):
        raise DurationError(f"duration {duration!r} is negative; a deadline cannot be before its start")
    return amount


class WorkingCalendar:
    """Working days of one country in one time zone, and deadline arithmetic over them."""

    def __init__(self, country: str, timezone: str, extra_holidays: frozenset[date] | set[date] = frozenset()):
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise DurationError(f"time zone {timezone!r} is unknown") from error
        if country not in holidays.list_supported_countries():
            raise DurationError(f"country {country!r} is unknown to the holidays library")
        self.country = country
        self.timezone = timezone
        self.extra_holidays = frozenset(extra_holidays)
        # The holidays library computes years on demand; keep each year as a plain set of dates.
        self._holidays_by_year: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return f"WorkingCalendar(country={self.country!r}, timezone={self.timezone!r})"

    def holidays_in(self, year: int) -> frozenset[date]:
        """The public holidays of a year (observed days included) plus this calendar's extra holidays."""
        known = self._holidays_by_year.get(year)
        if known is None:
            official = holidays.country_holidays(self.country, years=year)
            known = frozenset(official.keys()) | {day for day in self.extra_holidays if day.year == year}
            self._holidays_by_year[year] = known
        return known

    def is_working_day(self, day: date) -> bool:
        """True on Monday to Friday when the day is not a holiday."""
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date; convert a datetime with local_date() first")
        return day.weekday() < 5 and day not in self.holidays_in(day.year)

    def local_date(self, moment: datetime) -> date:
        """The calendar date of an instant in this calendar's time zone."""
        return self._local(moment).date()

    def add(self, start: datetime, duration: str | timedelta) -> datetime:
        """The instant that lies `duration` of working time after `start`, in UTC."""
        return self._walk(self._local(start), working_duration(duration))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days after `start`, in UTC."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise DurationError(f"a number of working days must be a whole number of at least 0, not {days!r}")
        return self._walk(self._local(start), days * _DAY)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from `a` to `b` (negative when `b` is before `a`)."""
        if b < a:
            return -self.working_time_between(b, a)
        a_local, b_local = self._local(a), self._local(b)
        total = timedelta(0)
        cursor = a_local
        while cursor < b_local:
            day_end = datetime.combine(cursor.date() + _DAY, time())
            stop = min(day_end, b_local)
            if self.is_working_day(cursor.date()):
                total += stop - cursor
            cursor = stop
        return total

    def working_days_between(self, a: datetime, b: datetime) -> int:
        """Whole working days of working time from `a` to `b` (negative when `b` is before `a`)."""
        elapsed = self.working_time_between(a, b)
        whole = abs(elapsed) // _DAY
        return whole if elapsed >= timedelta(0) else -whole

    def _local(self, moment: datetime) -> datetime:
        """Naive local wall time: arithmetic on wall clocks, so a working day is always 24 hours."""
        if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            raise DurationError(f"deadline arithmetic needs a timezone-aware datetime, not {moment!r}")
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _to_utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(timezone.utc)

    def _next_working_day(self, day: date) -> date:
        day += _DAY
        while not self.is_working_day(day):
            day += _DAY
        return day

    def _walk(self, cursor: datetime, remaining: timedelta) -> datetime:
        # A start outside working time counts from the start of the next working day.
        if not self.is_working_day(cursor.date()):
            cursor = datetime.combine(self._next_working_day(cursor.date()), time())
        while True:
            day_end = datetime.combine(cursor.date() + _DAY, time())
            available = day_end - cursor
            # Strictly less: time that runs out exactly at midnight ends at the start of the next
            # working day, so whole-day deadlines never fall on a weekend or a holiday.
            if remaining < available:
                return self._to_utc(cursor + remaining)
            remaining -= available
            cursor = datetime.combine(self._next_working_day(cursor.date()), time())


def cameroon_calendar(extra_holidays: frozenset[date] | set[date] = frozenset()) -> WorkingCalendar:
    """Cameroon's working days in Africa/Douala time (UTC+1, no daylight saving)."""
    return WorkingCalendar(country="CM", timezone="Africa/Douala", extra_holidays=extra_holidays)
