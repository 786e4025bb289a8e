"""Camunda DMN cells evaluate correctly when SpiffWorkflow's DMNEngine composes them."""

from types import SimpleNamespace

import pytest
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from engine.errors import ExpressionError
from engine.expressions import check_dmn_input, check_expression, dmn_input_test, evaluate


class SpiffFacingEvaluator:
    """The two calls DMNEngine makes on a script engine, answered by the safe evaluator."""

    def validate(self, text):
        try:
            check_expression(text)
        except ExpressionError as error:
            raise SyntaxError(error.message) from None  # DMNEngine only catches SyntaxError

    def evaluate(self, task, text, external_context=None):
        return evaluate(text, {**task.data, **(external_context or {})})


def matches(input_expression: str, cell: str | None, data: dict) -> bool:
    """Whether DMNEngine finds the cell true for the input, as it does inside a rule."""
    task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=SpiffFacingEvaluator()))
    return DMNEngine(decision_table=None).evaluate(input_expression, cell, task)


@pytest.mark.parametrize(
    "cell, value, expected",
    [
        ('"emergency"', "emergency", True),
        ('"emergency"', "high", False),
        ("'high'", "high", True),
        ("10", 10, True),
        ("< 10", 9, True),
        ("< 10", 10, False),
        (">= 18", 18, True),
        ("!= 'low'", "high", True),
        ("true", True, True),
        ("false", True, False),
        ("null", None, True),
        ("? > 3 and ? < 5", 4, True),
    ],
)
def test_plain_cells_work_as_written(cell, value, expected):
    assert matches("value", cell, {"value": value}) is expected


@pytest.mark.parametrize(
    "cell, value, expected",
    [
        ('"emergency"', "emergency", True),
        ("< 10", 9, True),
        ('"high","emergency"', "emergency", True),
        ('"high","emergency"', "low", False),
        ("'a', 'b, c'", "b, c", True),
        ("[1..10]", 10, True),
        ("[1..10[", 10, False),
        ("]1..10]", 1, False),
        ("(1..10)", 5, True),
        ('not("low")', "high", True),
        ('not("low","medium")', "medium", False),
        ("< 5, > 10", 12, True),
        ("< 5, > 10", 7, False),
        ("= 3", 3, True),
        ('>= date("2026-01-01")', __import__("datetime").date(2026, 3, 1), True),
    ],
)
def test_rewritten_cells_follow_camunda_meaning(cell, value, expected):
    check_dmn_input(cell)
    assert matches("value", dmn_input_test(cell), {"value": value}) is expected


@pytest.mark.parametrize("cell", ["-", "", None, "  "])
def test_empty_and_dash_cells_match_anything(cell):
    assert dmn_input_test(cell) is None
    assert matches("value", dmn_input_test(cell), {"value": "anything"}) is True


def test_input_expression_can_be_a_safe_expression():
    assert matches("len(needs)", dmn_input_test("[2..3]"), {"needs": ["a", "b"]}) is True
    assert matches("person.age", dmn_input_test("< 18"), {"person": {"age": 12}}) is True


@pytest.mark.parametrize("cell", ['"a",,"b"', "< __import__('os')", "[1..x.__class__]", "not(lambda: 1)", "'{0}'.format(x)"])
def test_bad_cells_are_refused(cell):
    with pytest.raises(ExpressionError, match="DMN cell"):
        check_dmn_input(cell)


@pytest.mark.parametrize("cell, expected", [('"high"', "high"), ("3", 3), ("true", True), ("[1, 2]", [1, 2]), ("'a' + 'b'", "ab")])
def test_output_cells_are_plain_expressions(cell, expected):
    check_expression(cell)
    assert evaluate(cell, {}) == expected
