"""Timer texts written as Camunda users write them come out as ISO 8601 that SpiffWorkflow parses."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.errors import ExpressionError
from engine.expressions import check_timer, evaluate_timer, timer_kind

DATA = {"ackDeadline": "PT72H", "urgent": True, "wait": timedelta(days=3, hours=2), "due": "2026-12-01T08:00:00+01:00"}


def spiff_parses(text: str, kind: str) -> None:
    """Parse the text exactly as SpiffWorkflow's timer event definitions do."""
    if kind == "duration":
        TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(text))
    elif kind == "date":
        TimerEventDefinition.get_datetime(text)
    else:
        TimerEventDefinition.parse_iso_recurring_interval(text)


@pytest.mark.parametrize(
    "text, kind, expected",
    [
        ("P3D", "duration", "P3D"),
        ("PT72H", "duration", "PT72H"),
        ("P1W", "duration", "P1W"),
        ("P1Y2M10DT2H30M", "duration", "P1Y2M10DT2H30M"),
        ("PT0.5H", "duration", "PT0.5H"),
        ("PT1,5H", "duration", "PT1.5H"),
        ("pt36h", "duration", "PT36H"),
        ("P1WT2H", "duration", "P1WT2H"),
        ("PT30M", "duration", "PT30M"),
        ("P2M", "duration", "P2M"),
        ("2026-12-01T08:00:00+01:00", "date", "2026-12-01T08:00:00+01:00"),
        ("2026-12-01T08:00:00Z", "date", "2026-12-01T08:00:00+00:00"),
        ("2026-12-01", "date", "2026-12-01T00:00:00"),
        ("2026-12-01T08:00", "date", "2026-12-01T08:00:00"),
        ("R3/P30D", "cycle", "R3/P30D"),
        ("R/P1D", "cycle", "R/P1D"),
        ("R2/2026-12-01T08:00:00Z/P1D", "cycle", "R2/2026-12-01T08:00:00+00:00/P1D"),
        ("R2/P1D/2026-12-01T08:00:00Z", "cycle", "R2/P1D/2026-12-01T08:00:00+00:00"),
        ('"PT72H"', "duration", "PT72H"),
        ("'P3D'", "duration", "P3D"),
        ("  P3D \n", "duration", "P3D"),
    ],
)
def test_literal_timer_is_accepted_and_spiff_parses_the_result(text, kind, expected):
    check_timer(text)
    check_timer(text, kind)
    assert timer_kind(text) == kind
    result = evaluate_timer(text, {})
    assert result == expected
    spiff_parses(result, kind)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("${ackDeadline}", "PT72H"),
        ("#{ackDeadline}", "PT72H"),
        ("ackDeadline", "PT72H"),
        ("'PT4H' if urgent else 'P3D'", "PT4H"),
        ("${urgent ? 'PT4H' : 'P3D'}", "PT4H"),
        ("wait", "P3DT2H"),
        ("timedelta(hours=4)", "PT4H"),
        ("due", "2026-12-01T08:00:00+01:00"),
        ("datetime(2026, 12, 1, 8)", "2026-12-01T08:00:00+00:00"),
        ("'P' + str(2 + 1) + 'D'", "P3D"),
    ],
)
def test_timer_expression_is_evaluated_to_iso_text(text, expected):
    check_timer(text)
    assert evaluate_timer(text, DATA) == expected


def test_expression_timer_kind_is_known_only_at_run_time():
    assert timer_kind("${ackDeadline}") is None
    assert timer_kind("ackDeadline") is None
    assert timer_kind("PT72") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("PT72", 'timer "PT72" is not an ISO 8601 duration; write for example PT72H'),
        ("P", 'timer "P" is not an ISO 8601 duration'),
        ("PT", 'timer "PT" is not an ISO 8601 duration'),
        ("P3", 'timer "P3" is not an ISO 8601 duration'),
        ("P1W2D", 'timer "P1W2D" is not an ISO 8601 duration'),
        ("P3DT", 'timer "P3DT" is not an ISO 8601 duration'),
        ("P1.5DT2H", "only the last part of a duration may have a fraction"),
        ("P200Y", "longer than a hundred years"),
        ("P99999999999M", "is not an ISO 8601 duration"),
        ("2026-02-30", "is not a real date"),
        ("2026-13-01T08:00:00Z", "is not a real date"),
        ("2026-12-1", "is not an ISO 8601 date"),
        ("2026-W49-1", "week dates are not supported"),
        ("R3/P0D", "the period of a cycle must be longer than zero"),
        ("R3", 'timer "R3" is not an ISO 8601 cycle; write for example R3/P30D'),
        ("R5000/P1D", "repeats more than 1,000 times"),
        ("R/2026-12-01/2026-12-02", "one start \\(or end\\) date and one period"),
        ("R/P1D/P2D", "one start \\(or end\\) date and one period"),
        ("R/2026-12-01", "a cycle needs a period"),
        ('"soon"', 'timer "soon" is not an ISO 8601 duration, date or cycle'),
        ("", "the timer is empty"),
        ("   ", "the timer is empty"),
        ("__import__('os')", "names starting with '_' are not allowed"),
        ("'PT' + 'X'", 'timer "PTX" is not'),
        ("${ackDeadline", "never closed"),
        ("42", "is not an ISO 8601 date"),
    ],
)
def test_bad_timer_is_refused_when_checked(text, message):
    with pytest.raises(ExpressionError, match=message):
        check_timer(text)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"ackDeadline": "PT72"}, 'timer "PT72" is not an ISO 8601 duration'),
        ({"ackDeadline": 72}, "gave a number \\(72\\), not an ISO 8601 text"),
        ({"ackDeadline": None}, "gave null"),
        ({"ackDeadline": timedelta(hours=-1)}, "cannot be negative"),
        ({}, "name 'ackDeadline' is not defined"),
    ],
)
def test_bad_timer_value_at_run_time_names_the_value(data, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate_timer("${ackDeadline}", data)


def test_timer_of_the_wrong_kind_is_refused():
    with pytest.raises(ExpressionError, match='timer "P3D" is a duration, but this timer needs a date'):
        check_timer("P3D", "date")
    with pytest.raises(ExpressionError, match="is a date, but this timer needs a cycle"):
        evaluate_timer("due", DATA, "cycle")


_amount = st.integers(min_value=0, max_value=99)


@settings(max_examples=300, deadline=None)
@given(
    years=st.one_of(st.none(), st.integers(min_value=0, max_value=50)), months=st.one_of(st.none(), _amount), days=st.one_of(st.none(), _amount),
    hours=st.one_of(st.none(), _amount), minutes=st.one_of(st.none(), _amount), seconds=st.one_of(st.none(), _amount),
)
def test_every_duration_we_accept_is_one_spiff_parses_to_the_same_length(years, months, days, hours, minutes, seconds):
    date_part = "".join(f"{value}{unit}" for value, unit in ((years, "Y"), (months, "M"), (days, "D")) if value is not None)
    time_part = "".join(f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value is not None)
    text = "P" + date_part + ("T" + time_part if time_part else "")
    if not date_part and not time_part:
        with pytest.raises(ExpressionError):
            check_timer(text)
        return
    result = evaluate_timer(text, {})
    parsed = TimerEventDefinition.parse_iso_duration(result)
    start = datetime(2026, 1, 31, tzinfo=timezone.utc)
    length = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    expected_time = timedelta(hours=hours or 0, minutes=minutes or 0, seconds=seconds or 0)
    assert length >= expected_time + timedelta(days=(days or 0))


@settings(max_examples=300, deadline=None)
@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)))
def test_a_duration_computed_by_an_expression_round_trips_through_spiff(value):
    result = evaluate_timer("wait", {"wait": value})
    parsed = TimerEventDefinition.parse_iso_duration(result)
    assert TimerEventDefinition.get_timedelta_from_start(parsed) == value
