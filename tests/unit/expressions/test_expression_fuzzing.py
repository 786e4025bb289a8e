"""Whatever text an author (or an attacker) writes, the only failure is an ExpressionError."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import ExpressionError
from engine.expressions import (
    check_dmn_input, check_expression, check_script, check_timer, dmn_input_test, evaluate, evaluate_timer,
    run_script, timer_kind, translate_juel,
)

DATA = {"a": 1, "b": "text", "c": [1, 2, 3], "d": {"k": "v"}, "e": None, "f": 2.5, "g": True}

# Pieces of the language and of known attacks, so random texts reach deep into the checker.
TOKENS = [
    "a", "b", "c", "d", "e", "f", "g", "x", "_", "__class__", "__import__", "len", "sum", "max", "sorted", "str", "int",
    "date", "timedelta", "parse_date", "compact", "pluck", "format", "lower", "split", "join", "replace", "get", "keys",
    "0", "1", "-1", "2", "10", "99", "1.5", "'s'", '"t"', "'%d'", "True", "None", "null", "true",
    "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">=", " and ", " or ", " not ", " in ", " is ", " if ", " else ",
    "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "+=", "\n", "    ", "lambda", " for ", "${", "#{", "}", "&&", "||",
    "!", " eq ", " empty ", "?", "..", "P", "T", "3D", "R/", "2026-12-01", "'", '"', "\\", "f'", "b'",
]
token_texts = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
any_texts = st.one_of(st.text(alphabet=string.printable, max_size=200), st.text(max_size=100), token_texts)

ALL_CALLS = [
    check_expression,
    lambda text: evaluate(text, DATA),
    check_script,
    lambda text: run_script(text, dict(DATA)),
    check_timer,
    lambda text: evaluate_timer(text, DATA),
    translate_juel,
    timer_kind,
    check_dmn_input,
    dmn_input_test,
]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_texts)
def test_random_text_only_ever_raises_expression_error(text):
    for call in ALL_CALLS:
        try:
            call(text)
        except ExpressionError as error:
            assert error.message and "\n" not in error.message
            assert "Traceback" not in error.message


@settings(max_examples=500, deadline=None)
@given(token_texts)
def test_whatever_the_checker_accepts_evaluates_without_other_errors(text):
    try:
        check_expression(text)
    except ExpressionError:
        return
    try:
        evaluate(text, DATA)
    except ExpressionError:
        pass
