"""Camunda's JUEL conditions are translated into the safe language, or refused with a column."""

import pytest

from engine.errors import ExpressionError
from engine.expressions import check_expression, evaluate, translate_juel


@pytest.mark.parametrize(
    "juel, python",
    [
        ("${a == b && !c}", "a == b and not c"),
        ("${consent == true}", "consent == True"),
        ("${decision == 'accepted'}", "decision == 'accepted'"),
        ('${decision == "accepted"}', "decision == 'accepted'"),
        ("#{x}", "x"),
        ("  ${x}  ", "x"),
        ("${a || b}", "a or b"),
        ("${a and b or not c}", "a and b or not c"),
        ("${empty needs}", "is_empty(needs)"),
        ("${not empty needs}", "not is_empty(needs)"),
        ("${!empty needs}", "not is_empty(needs)"),
        ("${a eq 1}", "a == 1"),
        ("${a ne 1}", "a != 1"),
        ("${a lt 1}", "a < 1"),
        ("${a gt 1}", "a > 1"),
        ("${a le 1}", "a <= 1"),
        ("${a ge 1}", "a >= 1"),
        ("${x == null}", "x == None"),
        ("${flag == false}", "flag == False"),
        ("${!a == b}", "(not a) == b"),
        ("${!(a == b)}", "not a == b"),
        ("${a < b == c}", "(a < b) == c"),
        ("${a - (b - c)}", "a - (b - c)"),
        ("${a div 2 + b mod 3}", "a / 2 + b % 3"),
        ("${-a * 2}", "-a * 2"),
        ("${urgent ? 'PT4H' : 'P3D'}", "'PT4H' if urgent else 'P3D'"),
        ("${a ? b ? 1 : 2 : 3}", "(1 if b else 2) if a else 3"),
        ("${person.name == 'A'}", "person.name == 'A'"),
        ("${person['name']}", "person['name']"),
        ("${items[0]}", "items[0]"),
        ("${needs.size() > 0}", "len(needs) > 0"),
        ("${name.isEmpty()}", "is_empty(name)"),
        ("${decision.equals('yes')}", "decision == 'yes'"),
        ("${needs.contains('health')}", "'health' in needs"),
        ("${name.toLowerCase().startsWith('a')}", "name.lower().startswith('a')"),
        ("${execution.getVariable('consent')}", "consent"),
        ("${len(needs) > 1}", "len(needs) > 1"),
        ("${'it\\'s'}", '"it\'s"'),
        ("${1.5e3 >= 2}", "1.5e3 >= 2"),
        ("Dear ${name}, see you", "'Dear ' + str(name) + ', see you'"),
        ("\\${not} ${x}", "'${not} ' + str(x)"),
        ("${a}${b}", "str(a) + str(b)"),
    ],
)
def test_juel_translates_to_the_safe_language(juel, python):
    assert translate_juel(juel) == python


@pytest.mark.parametrize(
    "juel, message",
    [
        ("${a = 1}", "'=' assigns; use '==' to compare \\(column 5\\)"),
        ("${a == }", "unexpected the end of the expression \\(column 8\\)"),
        ("${}", "is empty"),
        ("${a == 1", "the '\\$\\{' at column 1 is never closed"),
        ("${a instanceof b}", "unexpected 'instanceof' \\(column 5\\)"),
        ("${execution.setVariable('a', 1)}", "'execution' object is not available.*\\(column 3\\)"),
        ("${bean.doIt()}", "the method 'doIt' has no equivalent.*\\(column 8\\)"),
        ("${a # b}", "unexpected character '#' \\(column 5\\)"),
        ("${class == 1}", "'class' cannot be used as a name"),
        ("${a$b}", "'\\$' cannot be used in names"),
    ],
)
def test_untranslatable_juel_is_refused_with_the_column(juel, message):
    with pytest.raises(ExpressionError, match=message) as caught:
        translate_juel(juel)
    assert caught.value.message.startswith("cannot translate the JUEL expression")
    with pytest.raises(ExpressionError):
        check_expression(juel)


@pytest.mark.parametrize(
    "juel, data, expected",
    [
        ("${consent == true}", {"consent": True}, True),
        ("${decision == 'accepted'}", {"decision": "declined"}, False),
        ("${age ge 18 && !minor}", {"age": 20, "minor": False}, True),
        ("${empty reason}", {"reason": ""}, True),
        ("${not empty reason}", {"reason": None}, False),
        ("${needs.size() gt 1 || urgent}", {"needs": ["a"], "urgent": True}, True),
        ("${x eq null}", {"x": None}, True),
    ],
)
def test_juel_conditions_evaluate_over_task_data(juel, data, expected):
    check_expression(juel)
    assert evaluate(juel, data) is expected


def test_juel_cannot_smuggle_an_escape():
    for juel in ("${''.__class__}", "${__import__('os')}", "${x.format(y)}", "${getattr(x, 'y')}"):
        with pytest.raises(ExpressionError):
            check_expression(juel)
        with pytest.raises(ExpressionError):
            evaluate(juel, {"x": "a", "y": "b"})


def test_error_in_a_juel_expression_keeps_the_original_text():
    with pytest.raises(ExpressionError) as caught:
        evaluate("${consnt == true}", {"consent": True})
    assert caught.value.expression == "${consnt == true}"
    assert "did you mean 'consent'" in caught.value.message
