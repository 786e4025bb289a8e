"""Check and evaluate expressions and scripts over task data."""

from __future__ import annotations

import ast
import copy
from collections import ChainMap
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Mapping

from engine.errors import ExpressionError
from engine.expressions.checker import CONSTANT_NAMES, fail, parse_expression, parse_script
from engine.expressions.interpreter import Interpreter, item_of
from engine.expressions.juel import is_juel, translate_juel
from engine.expressions.iso8601 import format_duration
from engine.expressions.limits import Budget, guarded, measure


@lru_cache(maxsize=2048)
def python_form(text: str) -> str:
    """The text in the safe language's Python form (JUEL translated)."""
    return translate_juel(text) if is_juel(text) else text


def _tree(text: str) -> ast.Expression:
    return parse_expression(python_form(text))


def check_expression(text: str) -> None:
    """Refuse the expression if it is outside the safe language or is bound to fail."""
    guarded(text, lambda: _fold_constants(_tree(text), text, Budget()))


def evaluate(text: str, data: Mapping[str, Any]) -> Any:
    """The value of the expression over the task data."""
    return guarded(text, lambda: finite(Interpreter(data).value(_tree(text))))


def check_script(text: str) -> None:
    """Refuse the script if it is outside the safe language (assignments and if/else only)."""
    guarded(text, lambda: _fold_constants(parse_script(text), text, Budget()), "script")


def run_script(text: str, data: dict) -> None:
    """Run the script's assignments; data changes only if the whole script succeeds."""
    def run() -> None:
        assigned: dict[str, Any] = {}
        runner = _ScriptRun(text, assigned, ChainMap(assigned, data))
        runner.block(parse_script(text).body)
        data.update({name: plain(value) for name, value in assigned.items()})

    guarded(text, run, "script")


class _ScriptRun:
    def __init__(self, text: str, assigned: dict, variables: Mapping[str, Any]):
        self.text = text
        self.assigned = assigned
        self.copied: set[str] = set()
        self.interpreter = Interpreter(variables)

    def block(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            try:
                self.statement(statement)
            except ExpressionError as error:
                if error.line is None and "\n" in self.text.strip():
                    raise fail(error.message, self.text, statement) from None
                raise

    def statement(self, node: ast.stmt) -> None:
        self.interpreter.budget.spend()
        if isinstance(node, ast.Assign):
            value = self.interpreter.value(node.value)
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, ast.AugAssign):
            current = self.interpreter.value(_as_load(node.target))
            value = self.interpreter.value(node.value)
            self.assign(node.target, self.interpreter.binary(type(node.op), current, value))
        elif isinstance(node, ast.If):
            self.block(node.body if self.interpreter.value(node.test) else node.orelse)
        elif isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            return
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in scripts")

    def assign(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self._check_name(target.id)
            self.assigned[target.id] = value
            self.copied.discard(target.id)
        elif isinstance(target, ast.Tuple):
            if not isinstance(value, (list, tuple)) or len(value) != len(target.elts):
                raise ExpressionError(f"cannot unpack {len(value) if isinstance(value, (list, tuple)) else 'one'} value(s) into {len(target.elts)} names")
            for element, item in zip(target.elts, value):
                self.assign(element, item)
        elif isinstance(target, ast.Subscript):
            self._assign_item(target, value)
        else:
            raise ExpressionError("only variables and their items can be assigned")

    def _assign_item(self, target: ast.Subscript, value: Any) -> None:
        path = []
        node: ast.AST = target
        while isinstance(node, ast.Subscript):
            path.append(node.slice)
            node = node.value
        if not isinstance(node, ast.Name):
            raise ExpressionError("only variables and their items can be assigned")
        root = node.id
        self._check_name(root)
        if root not in self.copied:
            # Copy on first write so a failing script leaves the task data (and its aliases) untouched.
            self.assigned[root] = copy.deepcopy(self.interpreter.value(node))
            self.copied.add(root)
        keys = [self.interpreter.value(key) for key in reversed(path)]
        container = self.assigned[root]
        for key in keys[:-1]:
            container = item_of(container, key)
        if isinstance(container, dict):
            if isinstance(keys[-1], str) and keys[-1].startswith("_"):
                raise ExpressionError(f"'{keys[-1]}': keys starting with '_' are not allowed")
            try:
                container[keys[-1]] = value
            except TypeError:
                raise ExpressionError("a dict key cannot be that value") from None
        elif isinstance(container, list):
            item_of(container, keys[-1])
            container[keys[-1]] = value
        else:
            raise ExpressionError("only items of dicts and lists can be assigned")
        measure(self.assigned[root], self.interpreter.budget)

    @staticmethod
    def _check_name(name: str) -> None:
        if name.startswith("_"):
            raise ExpressionError(f"'{name}': names starting with '_' are not allowed")
        if name in CONSTANT_NAMES:
            raise ExpressionError(f"'{name}' is a constant and cannot be assigned")


def _as_load(target: ast.AST) -> ast.AST:
    if isinstance(target, ast.Name):
        return ast.Name(id=target.id, ctx=ast.Load())
    if isinstance(target, ast.Subscript):
        return ast.Subscript(value=_as_load(target.value), slice=target.slice, ctx=ast.Load())
    raise ExpressionError("only variables and their items can be updated with +=")


def finite(value: Any) -> Any:
    """`value`, refused if it is or holds NaN or an infinity: case data cannot keep them (JSON has no
    such numbers), and the error then names the expression that made one, not the case's save."""
    if isinstance(value, float):
        if value - value != 0.0:  # NaN and the infinities alone
            raise ExpressionError(f"the result is {value}, not a number a case can keep")
    elif isinstance(value, dict):
        for item in value.values():
            finite(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            finite(item)
    return value


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a script's result: dates as ISO texts, tuples and sets as lists."""
    if isinstance(value, float):
        return finite(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [plain(item) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _fold_constants(tree: ast.AST, text: str, budget: Budget) -> None:
    """Evaluate every part that depends on no variable: what fails there will always fail."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Constant, ast.Name, ast.Slice)) and _is_constant(node):
            try:
                Interpreter({}, budget).value(node)
            except ExpressionError as error:
                raise fail(error.message, text, node) from None
            continue
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            pending.append(node.value)
            continue
        pending.extend(ast.iter_child_nodes(node))


def _is_constant(node: ast.AST) -> bool:
    functions = {id(child.func) for child in ast.walk(node) if isinstance(child, ast.Call)}
    return all(
        not isinstance(child, ast.Name) or child.id in CONSTANT_NAMES or id(child) in functions
        for child in ast.walk(node)
    )
