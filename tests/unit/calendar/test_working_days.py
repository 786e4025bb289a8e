from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import WorkingCalendar, cameroon_calendar, parse_iso_duration
from engine.errors import AiguillageError, DurationError

DOUALA = ZoneInfo("Africa/Douala")


def douala(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=DOUALA)


@pytest.fixture(scope="module")
def cal():
    return cameroon_calendar()


def test_cameroon_calendar_is_in_douala_time(cal):
    assert cal.country == "CM"
    assert cal.timezone == "Africa/Douala"


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 2, 11),  # Youth Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 5, 1),  # Labour Day
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 20),  # National Day
        date(2026, 12, 25),  # Christmas
        date(2026, 3, 20),  # Eid al-Fitr (estimated by the library)
        date(2026, 5, 27),  # Eid al-Adha (estimated by the library)
        date(2027, 8, 16),  # Assumption falls on a Sunday in 2027: observed on Monday
    ],
)
def test_cameroon_public_holidays_are_not_working_days(cal, holiday):
    assert holiday.weekday() < 5
    assert not cal.is_working_day(holiday)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are(cal):
    assert cal.is_working_day(date(2026, 3, 2))  # Monday
    assert cal.is_working_day(date(2026, 3, 6))  # Friday
    assert not cal.is_working_day(date(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(date(2026, 3, 8))  # Sunday


def test_extra_holidays_are_not_working_days():
    cal = cameroon_calendar(extra_holidays={date(2026, 3, 4)})
    assert not cal.is_working_day(date(2026, 3, 4))
    assert cameroon_calendar().is_working_day(date(2026, 3, 4))


def test_working_days_keep_the_local_time_of_day(cal):
    due = cal.add(douala(2026, 3, 2, 15, 30), "P3D")
    assert due == douala(2026, 3, 5, 15, 30)
    assert due.tzinfo == timezone.utc


def test_result_is_utc_for_a_start_given_in_utc(cal):
    # 14:00 UTC is 15:00 in Douala (UTC+1 all year).
    assert cal.add(datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc), "P1D") == datetime(
        2026, 3, 3, 14, 0, tzinfo=timezone.utc
    )


def test_a_day_from_friday_ends_on_monday(cal):
    assert cal.add(douala(2026, 3, 6, 15), "P1D") == douala(2026, 3, 9, 15)


def test_twenty_four_working_hours_from_friday_afternoon_end_monday_afternoon(cal):
    assert cal.add(douala(2026, 3, 6, 15), "PT24H") == douala(2026, 3, 9, 15)


def test_hours_that_run_out_at_friday_midnight_end_at_monday_start(cal):
    assert cal.add(douala(2026, 3, 6, 15), "PT9H") == douala(2026, 3, 9, 0)


def test_hours_within_a_working_day_are_plain_hours(cal):
    assert cal.add(douala(2026, 3, 3, 8), "PT2H") == douala(2026, 3, 3, 10)
    assert cal.add(douala(2026, 3, 3, 8), "PT90M") == douala(2026, 3, 3, 9, 30)
    assert cal.add(douala(2026, 3, 3, 8), "PT1.5H") == douala(2026, 3, 3, 9, 30)


def test_a_week_is_five_working_days(cal):
    assert cal.add(douala(2026, 3, 3, 10), "P1W") == douala(2026, 3, 10, 10)
    assert cal.add(douala(2026, 3, 3, 10), "P2W") == cal.add(douala(2026, 3, 3, 10), "P10D")


def test_days_and_hours_combine(cal):
    # Thursday 20:00 + 1 working day = Friday 20:00; + 4 working hours crosses the weekend.
    assert cal.add(douala(2026, 3, 5, 20), "P1DT4H") == douala(2026, 3, 9, 0)
    assert cal.add(douala(2026, 3, 5, 20), "P1DT5H") == douala(2026, 3, 9, 1)


def test_a_start_on_saturday_counts_from_monday_midnight(cal):
    assert cal.add(douala(2026, 3, 7, 10), "PT2H") == douala(2026, 3, 9, 2)
    assert cal.add(douala(2026, 3, 7, 10), "P1D") == douala(2026, 3, 10, 0)


def test_a_zero_duration_from_a_working_time_is_the_start_itself(cal):
    start = douala(2026, 3, 3, 10)
    assert cal.add(start, "PT0S") == start
    assert cal.add(start, timedelta(0)) == start


def test_days_skip_a_holiday_in_the_middle_of_the_week(cal):
    # Wednesday 11 February 2026 is Youth Day.
    assert cal.add(douala(2026, 2, 10, 9), "P1D") == douala(2026, 2, 12, 9)


def test_a_working_day_before_the_may_holidays_skips_labour_day_and_the_weekend(cal):
    # Thursday 30 April 2026 -> Friday 1 May (Labour Day), Sat, Sun -> Monday 4 May.
    assert cal.add(douala(2026, 4, 30, 9), "P1D") == douala(2026, 5, 4, 9)


def test_easter_week_skips_good_friday(cal):
    # Thursday 2 April 2026 + 1 working day: Good Friday 3 April, weekend, Easter Monday is not a holiday.
    assert cal.add(douala(2026, 4, 2, 9), "P1D") == douala(2026, 4, 6, 9)


def test_year_end_rolls_from_new_years_eve_to_the_second_of_january(cal):
    # Thursday 31 December 2026 + 1 working day: 1 January 2027 is a holiday (Friday),
    # then the weekend, so Monday 4 January 2027.
    assert cal.add(douala(2026, 12, 31, 9), "P1D") == douala(2027, 1, 4, 9)
    # Wednesday 31 December 2025 -> Friday 2 January 2026.
    assert cal.add(douala(2025, 12, 31, 9), "P1D") == douala(2026, 1, 2, 9)


def test_christmas_and_new_year_cost_two_working_days(cal):
    # From Wednesday 23 December 2026: 24 (Thu), [25 Christmas], 28, 29, 30, 31, [1 Jan], 4 Jan:
    # six working days over twelve calendar days.
    assert cal.add_working_days(douala(2026, 12, 23, 12), 6) == douala(2027, 1, 4, 12)


def test_leap_day_is_an_ordinary_working_day(cal):
    # Tuesday 29 February 2028.
    assert cal.is_working_day(date(2028, 2, 29))
    assert cal.add(douala(2028, 2, 28, 10), "P1D") == douala(2028, 2, 29, 10)
    assert cal.add(douala(2028, 2, 28, 10), "P2D") == douala(2028, 3, 1, 10)


def test_add_working_days_matches_the_iso_day_duration(cal):
    start = douala(2026, 5, 18, 16)
    for days in range(0, 30):
        assert cal.add_working_days(start, days) == cal.add(start, f"P{days}D")


def test_working_days_between_counts_whole_working_days(cal):
    assert cal.working_days_between(douala(2026, 3, 6, 15), douala(2026, 3, 9, 15)) == 1
    assert cal.working_days_between(douala(2026, 3, 6, 15), douala(2026, 3, 9, 14)) == 0
    assert cal.working_days_between(douala(2026, 3, 2, 0), douala(2026, 3, 16, 0)) == 10
    assert cal.working_days_between(douala(2026, 3, 16, 0), douala(2026, 3, 2, 0)) == -10
    assert cal.working_days_between(douala(2026, 3, 7, 0), douala(2026, 3, 9, 0)) == 0


def test_working_time_between_ignores_weekends_and_holidays(cal):
    assert cal.working_time_between(douala(2026, 3, 6, 15), douala(2026, 3, 9, 15)) == timedelta(hours=24)
    assert cal.working_time_between(douala(2026, 2, 10, 0), douala(2026, 2, 12, 0)) == timedelta(hours=24)


@pytest.mark.parametrize("months_or_years", ["P1M", "P1Y", "P1Y2M3D"])
def test_months_and_years_are_refused_in_working_time(cal, months_or_years):
    with pytest.raises(DurationError, match="months or years"):
        cal.add(douala(2026, 3, 2), months_or_years)


@pytest.mark.parametrize("text", ["PT72", "72H", "P", "PT", "P1DT", "P1.5D", "soon", "", "-P1D", "P-1D"])
def test_text_that_is_not_an_iso_duration_is_refused_with_the_text_named(cal, text):
    with pytest.raises(DurationError, match="not an ISO 8601 duration") as raised:
        cal.add(douala(2026, 3, 2), text)
    assert f'"{text}"' in str(raised.value)


def test_duration_errors_are_value_errors_of_the_engine():
    assert issubclass(DurationError, ValueError)
    assert issubclass(DurationError, AiguillageError)


def test_negative_timedelta_and_negative_days_are_refused(cal):
    with pytest.raises(DurationError, match="negative"):
        cal.add(douala(2026, 3, 2), timedelta(hours=-1))
    with pytest.raises(DurationError, match="at least 0"):
        cal.add_working_days(douala(2026, 3, 2), -1)


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(DurationError, match="timezone-aware"):
        cal.add(datetime(2026, 3, 2, 10), "P1D")


def test_quoted_and_lowercase_durations_are_understood():
    assert parse_iso_duration('"PT72H"').clock_time == timedelta(hours=72)
    assert parse_iso_duration("p3d").days == 3
    parsed = parse_iso_duration("P1Y2M3W4DT5H6M7S")
    assert (parsed.years, parsed.months, parsed.weeks, parsed.days) == (1, 2, 3, 4)
    assert parsed.clock_time == timedelta(hours=5, minutes=6, seconds=7)


def test_holidays_are_computed_once_per_year(cal):
    first = cal.holidays_in(2031)
    assert cal.holidays_in(2031) is first
    assert date(2031, 5, 20) in first


def test_unknown_country_or_time_zone_is_refused():
    with pytest.raises(DurationError, match="country 'XX'"):
        WorkingCalendar(country="XX", timezone="Africa/Douala")
    with pytest.raises(DurationError, match="time zone 'Mars/Olympus'"):
        WorkingCalendar(country="CM", timezone="Mars/Olympus")
