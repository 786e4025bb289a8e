"""DMN input cells (Camunda's simple unary tests) rewritten for SpiffWorkflow's DMN engine.

Spiff's DMNEngine compares the input with a cell by building `(input) == (cell)`, or
`input + cell` when the cell starts with an operator, or by putting the input value in place
of `?`. Plain values and comparisons (`"emergency"`, `10`, `< 10`, `-`) work as written;
comma lists, ranges and `not(...)` do not, so a cell is rewritten into the `?` form first:
`"a","b"` -> `? in ("a", "b")`, `[1..10]` -> `1 <= ? <= 10`, `not("a")` -> `not (? == "a")`.
"""

from __future__ import annotations

import re

from engine.errors import ExpressionError
from engine.expressions.evaluation import check_expression
from engine.expressions.iso8601 import shown
from engine.expressions.limits import MAX_DEPTH, guarded

_RANGE = re.compile(r"(?P<open>[\[\]\(])(?P<low>.+?)\.\.(?P<high>.+)(?P<close>[\[\]\)])", re.DOTALL)
_COMPARISON = re.compile(r"(<=|>=|!=|==|<|>|=)(?!=)")
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def dmn_input_test(cell: str | None) -> str | None:
    """The cell as a `?` test Spiff's DMNEngine evaluates as Camunda would; None for `-` or empty."""
    if cell is None:
        return None
    return guarded(cell, lambda: _input_test(cell, 0), "DMN cell")


def _input_test(cell: str, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the DMN cell is nested too deeply (more than {MAX_DEPTH} levels)")
    text = cell.strip()
    if text in ("", "-"):
        return None
    if _QUESTION_MARK.search(text):
        return text
    alternatives = _split_top_level(text)
    if len(alternatives) > 1:
        tests = [_single_test(alternative, depth) for alternative in alternatives]
        if all(test.startswith("? == (") for test in tests):
            return "? in (" + ", ".join(alternative.strip() for alternative in alternatives) + ")"
        return " or ".join(f"({test})" for test in tests)
    return _single_test(text, depth)


def check_dmn_input(cell: str | None) -> None:
    """Refuse a DMN input cell that is not a valid unary test in the safe language."""
    try:
        test = dmn_input_test(cell)
        if test is not None:
            check_expression(_QUESTION_MARK.sub("dmninputexpr", test))
    except ExpressionError as error:
        raise ExpressionError(f"DMN cell {shown(cell or '')}: {error.message}", expression=cell or "") from None


def _single_test(text: str, depth: int) -> str:
    text = text.strip()
    if not text:
        raise ExpressionError("a DMN cell has an empty alternative between commas", expression=text)
    if text.lower().startswith("not(") and text.endswith(")"):
        inner = _input_test(text[4:-1], depth + 1)
        return "True" if inner is None else f"not ({inner})"
    match = _RANGE.fullmatch(text)
    if match:
        low_operator = "<=" if match.group("open") == "[" else "<"
        high_operator = "<=" if match.group("close") == "]" else "<"
        return f"{match.group('low').strip()} {low_operator} ? {high_operator} {match.group('high').strip()}"
    comparison = _COMPARISON.match(text)
    if comparison:
        operator = "==" if comparison.group(1) == "=" else comparison.group(1)
        return f"? {operator} {text[comparison.end():].strip()}"
    return f"? == ({text})"


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside quotes, brackets and parentheses."""
    parts, depth, quote, start = [], 0, None, 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts
