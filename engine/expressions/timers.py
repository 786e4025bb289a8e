"""Timer texts: bare or quoted ISO 8601, JUEL ${var}, or a safe expression giving such a text."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal, Mapping

from engine.errors import ExpressionError
from engine.expressions.evaluation import check_expression, evaluate, python_form
from engine.expressions.checker import parse_expression
from engine.expressions.functions import type_name
from engine.expressions.limits import guarded
from engine.expressions.iso8601 import format_duration, shown, normal_cycle, normal_duration, normal_moment

TimerKind = Literal["duration", "date", "cycle"]
# Narrow, so that variables such as `period` or `Ptimer` stay expressions.
_ISO_LOOKING = re.compile(r"(?:[Pp][Tt]?\d|PT?$|[Rr]\d*/|R\d*$|\d)")
_KIND_NAMES = {"duration": "a duration", "date": "a date", "cycle": "a cycle"}


def _literal(text: str) -> str | None:
    """The ISO text written bare or in quotes, or None when the text is an expression."""
    if _ISO_LOOKING.match(text):
        return text
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            tree = parse_expression(text)
        except ExpressionError:
            return None
        if isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str):
            return tree.body.value.strip()
    return None


def _iso_kind(text: str) -> TimerKind:
    first = text[:1].upper()
    return "duration" if first == "P" else "cycle" if first == "R" else "date"


def normal_iso(text: str, kind: TimerKind | None = None) -> str:
    """The checked, normalised ISO 8601 text; refuses a text of another kind than `kind`."""
    if not _ISO_LOOKING.match(text.upper()):
        raise ExpressionError(
            f'timer {shown(text)} is not an ISO 8601 duration, date or cycle; write for example PT72H, P3D or R3/P30D'
        )
    found = _iso_kind(text)
    normal = {"duration": normal_duration, "cycle": normal_cycle, "date": normal_moment}[found](text)
    if kind is not None and found != kind:
        raise ExpressionError(f'timer {shown(text)} is {_KIND_NAMES[found]}, but this timer needs {_KIND_NAMES[kind]}')
    return normal


def timer_kind(text: str) -> TimerKind | None:
    """What a literal timer text is; None for an expression (known only at run time) or a bad text."""
    if not isinstance(text, str):
        return None
    try:
        literal = guarded(text, lambda: _literal(text.strip()), "timer")
        if literal is None:
            return None
        guarded(literal, lambda: normal_iso(literal), "timer")
    except ExpressionError:
        return None
    return _iso_kind(literal)


def check_timer(text: str, kind: TimerKind | None = None) -> None:
    """Refuse a timer text that is neither valid ISO 8601 nor a safe expression."""
    def check() -> None:
        stripped = text.strip()
        if not stripped:
            raise ExpressionError("the timer is empty; write for example PT72H (72 hours) or P3D (3 days)")
        literal = _literal(stripped)
        if literal is not None:
            normal_iso(literal, kind)
            return
        check_expression(stripped)
        if _has_no_variables(stripped):
            evaluate_timer(stripped, {}, kind)

    guarded(text, check, "timer")


def evaluate_timer(text: str, data: Mapping[str, Any], kind: TimerKind | None = None) -> str:
    """The ISO 8601 text of a timer, ready for SpiffWorkflow's timer parsers."""
    def run() -> str:
        stripped = text.strip()
        if not stripped:
            raise ExpressionError("the timer is empty; write for example PT72H (72 hours) or P3D (3 days)")
        literal = _literal(stripped)
        if literal is not None:
            return normal_iso(literal, kind)
        return _as_iso(evaluate(stripped, data), stripped, kind)

    return guarded(text, run, "timer")


def _as_iso(value: Any, text: str, kind: TimerKind | None) -> str:
    if isinstance(value, str):
        return normal_iso(value.strip(), kind)
    if isinstance(value, timedelta):
        return normal_iso(format_duration(value), kind)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return normal_iso(moment.isoformat(), kind)
    if isinstance(value, date):
        return normal_iso(value.isoformat(), kind)
    raise ExpressionError(
        f"the timer {shown(text)} gave {type_name(value)} ({shown(repr(value))[1:-1]}), not an ISO 8601 text such as PT72H"
    )


def _has_no_variables(text: str) -> bool:
    tree = parse_expression(python_form(text))
    return not any(isinstance(node, ast.Name) and node.id not in ("true", "false", "null") for node in ast.walk(tree))
