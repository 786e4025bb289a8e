from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import cameroon_calendar

cal = cameroon_calendar()

starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.just(timezone.utc)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))
whole_days = st.integers(min_value=0, max_value=120)


@settings(max_examples=300)
@given(start=starts, duration=durations)
def test_a_deadline_is_never_before_its_start(start, duration):
    assert cal.add(start, duration) >= start


@settings(max_examples=300)
@given(start=starts, shorter=durations, extra=durations)
def test_a_longer_duration_never_gives_an_earlier_deadline(start, shorter, extra):
    assert cal.add(start, shorter) <= cal.add(start, shorter + extra)


@settings(max_examples=300)
@given(start=starts, days=whole_days)
def test_whole_working_days_never_land_on_a_weekend_or_holiday(start, days):
    due = cal.add_working_days(start, days)
    assert cal.is_working_day(cal.local_date(due))
    assert cal.is_working_day(cal.local_date(cal.add(start, f"P{days}D")))


@settings(max_examples=300)
@given(start=starts, days=whole_days)
def test_working_days_between_a_start_and_its_deadline_is_the_duration(start, days):
    assert cal.working_days_between(start, cal.add_working_days(start, days)) == days


@settings(max_examples=200)
@given(start=starts, first=durations, second=durations)
def test_adding_two_durations_in_turn_equals_adding_their_sum(start, first, second):
    assert cal.add(cal.add(start, first), second) == cal.add(start, first + second)


@settings(max_examples=200)
@given(start=starts, duration=durations)
def test_the_working_time_between_start_and_deadline_is_the_duration(start, duration):
    due = cal.add(start, duration)
    assert cal.working_time_between(start, due) == duration
    assert due.tzinfo == timezone.utc
