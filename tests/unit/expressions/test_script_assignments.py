"""Script tasks may only assign safe values to variables; the data changes only if all of it works."""

import pytest

from engine.errors import ExpressionError
from engine.expressions import check_script, run_script


def test_script_assigns_variables_into_the_task_data():
    data = {"needs": ["shelter", None, "health"], "age": 16}
    script = "\n".join([
        "need_count = len(compact(needs))",
        "minor = age < 18",
        "priority = 'high' if minor else 'normal'",
        "a, b = 1, 2",
        "need_count += 10",
        "'''a docstring is allowed'''",
    ])
    check_script(script)
    run_script(script, data)
    assert data == {
        "needs": ["shelter", None, "health"], "age": 16, "need_count": 12, "minor": True,
        "priority": "high", "a": 1, "b": 2,
    }


def test_script_can_branch_with_if_elif_else():
    script = "if score > 7:\n    level = 'high'\nelif score > 3:\n    level = 'medium'\nelse:\n    level = 'low'\n    pass"
    check_script(script)
    for score, level in ((9, "high"), (5, "medium"), (1, "low")):
        data = {"score": score}
        run_script(script, data)
        assert data["level"] == level


def test_script_sets_items_of_dicts_and_lists():
    data = {"person": {"name": "A", "tags": ["x", "y"]}}
    run_script("person['status'] = 'identified'\nperson['tags'][1] = 'z'\nperson['count'] = 1\nperson['count'] += 1", data)
    assert data["person"] == {"name": "A", "tags": ["x", "z"], "status": "identified", "count": 2}


def test_failing_script_leaves_the_data_untouched():
    original = {"person": {"name": "A"}, "n": 1}
    data = {"person": {"name": "A"}, "n": 1}
    with pytest.raises(ExpressionError, match="line 3: division by zero"):
        run_script("n = 2\nperson['name'] = 'B'\nx = n / 0", data)
    assert data == original


def test_script_results_are_stored_as_plain_json_values():
    data = {}
    run_script("d = add_days('2026-11-30', 1)\nw = timedelta(hours=2)\ns = {3, 1}\nt = (1, 2)\nm = datetime(2026, 1, 1)", data)
    assert data == {"d": "2026-12-01", "w": "PT2H", "s": [1, 3], "t": [1, 2], "m": "2026-01-01T00:00:00+00:00"}


@pytest.mark.parametrize(
    "script, message",
    [
        ("x = 1\ny = undefined_thing", "line 2: name 'undefined_thing' is not defined"),
        ("x = 1\nimport os", "line 2: imports are not allowed"),
        ("while True:\n    pass", "loops are not allowed in scripts"),
        ("x = 1\nlen(x)", "line 2: a script may only assign values"),
        ("a, b = 1, 2, 3", "cannot unpack 3 value\\(s\\) into 2 names"),
        ("person['_secret'] = 1", "keys starting with '_' are not allowed"),
        ("x['a'] = 1", "name 'x' is not defined"),
        ("person = {}\nperson['a']['b'] = 1", "line 2: no key 'a' in the dict"),
        ("true = 1", "'true' is a constant and cannot be assigned"),
        ("me = {}\nme['a'] = 1\nme['me'] = me", "line 3: the value is too large"),
    ],
)
def test_bad_script_is_refused_with_the_line(script, message):
    with pytest.raises(ExpressionError, match=message):
        run_script(script, {"person": {"a": 1}})


def test_check_script_refuses_statically_and_names_the_line():
    with pytest.raises(ExpressionError, match="^line 3: 'format' is not an allowed method of str") as caught:
        check_script("a = 1\nb = 2\nc = '{}'.format(a)")
    assert caught.value.line == 3


def test_empty_script_is_refused():
    with pytest.raises(ExpressionError, match="the script is empty"):
        check_script("  \n")


def test_item_written_through_an_alias_does_not_change_the_original_until_the_end():
    data = {"person": {"name": "A"}}
    with pytest.raises(ExpressionError):
        run_script("copy = person\ncopy['name'] = 'B'\nfail = 1 / 0", data)
    assert data == {"person": {"name": "A"}}
    run_script("copy = person\ncopy['name'] = 'B'", data)
    assert data == {"person": {"name": "A"}, "copy": {"name": "B"}}


@pytest.mark.parametrize("script", ["score = weight * 1e308 * 10", "scores = [1, 1e999]", "person['ratio'] = -1e999"])
def test_a_script_that_makes_an_infinity_fails_and_leaves_the_data_untouched(script):
    # JSON has no infinity or NaN: the case could not keep them, and the error names the script.
    data = {"weight": 2.0, "person": {}}
    with pytest.raises(ExpressionError, match="not a number a case can keep"):
        run_script(script, data)
    assert data == {"weight": 2.0, "person": {}}


def test_an_expression_whose_value_is_an_infinity_fails():
    from engine.expressions import evaluate

    with pytest.raises(ExpressionError, match="inf, not a number a case can keep"):
        evaluate("[weight, weight * 1e308 * 10]", {"weight": 2.0})
