"""Conditions over task data evaluate as an SOP author expects, with errors that say what to fix."""

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.errors import ExpressionError
from engine.expressions import SAFE_FUNCTIONS, check_expression, evaluate

DATA = {
    "priority": "emergency",
    "age": 16,
    "needs": ["shelter", "health", None],
    "consent_given": True,
    "override": False,
    "person": {"name": "Amina", "languages": ["fr", "ful"]},
    "referrals": [{"service": "health", "status": "accepted"}, {"service": "shelter", "status": "declined"}],
    "identified_on": "2026-11-02",
}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("priority == 'emergency'", True),
        ("len(needs) > 0", True),
        ("consent_given and not override", True),
        ("age < 18 and priority in ('emergency', 'high')", True),
        ("10 <= age < 18", True),
        ("age if age > 18 else 18", 18),
        ("person['name']", "Amina"),
        ("person.name", "Amina"),
        ("person.get('missing', 'none')", "none"),
        ("'fr' in person.languages", True),
        ("needs[0].upper()", "SHELTER"),
        ("needs[-2:]", ["health", None]),
        ("compact(needs)", ["shelter", "health"]),
        ("pluck(referrals, 'status')", ["accepted", "declined"]),
        ("'declined' in pluck(referrals, 'status')", True),
        ("sum([1, 2, 3.5])", 6.5),
        ("min(3, 1, 2) + max([4, 5])", 6),
        ("round(2.567, 2)", 2.57),
        ("abs(-3) ** 2", 9),
        ("int('42') + float('0.5')", 42.5),
        ("str(12) + '!'", "12!"),
        ("sorted(['b', 'a'], reverse=True)", ["b", "a"]),
        ("any([False, True]) and not all([False, True])", True),
        ("true and not false and null is None", True),
        ("True if None is None else False", True),
        ("{'a': 1}['a'] + len({1, 2}) + len((1,))", 4),
        ("is_empty('  ') and is_empty([]) and not is_empty('x')", True),
        ("' A b '.strip().lower().split()", ["a", "b"]),
        ("', '.join(['a', 'b'])", "a, b"),
        ("'a-b'.replace('-', '+')", "a+b"),
        ("7 // 2 + 7 % 2", 4),
        ("-age", -16),
        ("list(person.keys())", ["name", "languages"]),
    ],
)
def test_expression_gives_the_expected_value(text, expected):
    check_expression(text)
    assert evaluate(text, DATA) == expected


def test_date_functions_work_on_texts_and_dates():
    assert evaluate("days_between(identified_on, '2026-11-30')", DATA) == 28
    assert evaluate("add_days(identified_on, 3)", DATA) == date(2026, 11, 5)
    assert evaluate("parse_date(identified_on).year", DATA) == 2026
    assert evaluate("date(2026, 12, 1).isoformat()", DATA) == "2026-12-01"
    assert evaluate("datetime(2026, 12, 1, 8)", DATA) == datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    assert evaluate("timedelta(days=2, hours=3).total_seconds()", DATA) == 183600
    assert evaluate("parse_datetime('2026-12-01T08:00:00+01:00').hour", DATA) == 7
    assert evaluate("parse_date(now) < date(2027, 1, 1)", {"now": "2026-11-30T06:00:00Z"}) is True
    assert evaluate("add_days(date(2026, 1, 31), 1).month", DATA) == 2
    assert evaluate("datetime(2026, 1, 2) - datetime(2026, 1, 1) == timedelta(days=1)", DATA) is True


def test_the_clock_is_not_reachable_from_expressions():
    for name in ("now", "today", "utcnow", "time"):
        assert name not in SAFE_FUNCTIONS
    with pytest.raises(ExpressionError, match="calls to 'now' are not allowed"):
        check_expression("now()")


def test_unknown_variable_suggests_the_closest_name():
    with pytest.raises(ExpressionError, match=r"name 'consnt' is not defined \(did you mean 'consent'\?\)"):
        evaluate("consnt == true", {"consent": True})


def test_unknown_variable_without_a_close_name_has_no_suggestion():
    with pytest.raises(ExpressionError) as caught:
        evaluate("zzz", {"consent": True})
    assert caught.value.message == "name 'zzz' is not defined"
    assert caught.value.expression == "zzz"


@pytest.mark.parametrize(
    "text, message",
    [
        ("person['age']", "no key 'age' in the dict"),
        ("person.age", "no key 'age' in the dict"),
        ("needs[7]", "position 7 is out of range"),
        ("age / 0", "division by zero"),
        ("priority + 1", "cannot apply \\+ to a text and a number"),
        ("priority.format()", "'format' is not an allowed method"),
        ("age.real", "a number has no attribute 'real'"),
        ("priority.upper", "'upper' is a method: call it as .upper()"),
        ("parse_date('soon')", "'soon' is not a date like 2026-12-01"),
        ("max([])", "max\\(\\): "),
        ("1 in age", "'in' needs a text, list or dict on its right"),
    ],
)
def test_run_time_errors_say_what_is_wrong(text, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(text, DATA)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the expression is empty"),
        ("a ==", "the expression is not valid: invalid syntax"),
        ("1/0", "division by zero"),
        ("date(2026, 2, 30)", "day is out of range"),
        ("x & y", "the & operator is not allowed; use 'and'"),
        ("sorted(x, key=len)", "sorted\\(\\) does not accept the argument 'key'"),
        ("x.__class__", "'__class__': names starting with '_' are not allowed"),
        ("'%s' % x", "the % operator cannot format texts"),
    ],
)
def test_check_refuses_with_a_one_line_message(text, message):
    with pytest.raises(ExpressionError, match=message) as caught:
        check_expression(text)
    assert "\n" not in caught.value.message


def test_multi_line_expression_errors_name_the_line():
    with pytest.raises(ExpressionError, match="^line 2: ") as caught:
        check_expression("(a and\n b.__class__)")
    assert caught.value.line == 2


def test_non_text_expression_is_refused():
    with pytest.raises(ExpressionError, match="must be a text"):
        evaluate(["x"], {})  # type: ignore[arg-type]


def test_evaluation_does_not_change_the_data():
    data = {"items": [3, 1, 2], "person": {"name": "A"}}
    evaluate("sorted(items)", data)
    evaluate("person.keys()", data)
    assert data == {"items": [3, 1, 2], "person": {"name": "A"}}


def test_dict_views_come_back_as_plain_lists():
    assert evaluate("person.items()", DATA) == [("name", "Amina"), ("languages", ["fr", "ful"])]
    assert type(evaluate("person.values()", DATA)) is list


def test_timedelta_results_stay_in_range():
    with pytest.raises(ExpressionError):
        evaluate("timedelta(days=10**9) * 10**9", {})
    assert evaluate("timedelta(hours=1) * 2", {}) == timedelta(hours=2)


def test_set_methods_work_on_sets():
    assert evaluate("{1, 2}.union([3])", {}) == {1, 2, 3}
    assert evaluate("set(needs).intersection(['health', 'legal'])", DATA) == {"health"}
    assert evaluate("{1}.issubset([1, 2])", {}) is True


def test_condition_written_over_several_lines_reads_as_one():
    text = "priority == 'emergency'\n  and consent_given\n  and not override"
    check_expression(text)
    assert evaluate(text, DATA) is True
    with pytest.raises(ExpressionError, match="^line 1: the expression is not valid"):
        check_expression("a and\n b c")


def test_misspelt_function_suggests_the_allowed_one():
    with pytest.raises(ExpressionError, match=r"calls to 'lenght' are not allowed \(did you mean 'len'\?\)"):
        check_expression("lenght(needs) > 0")
