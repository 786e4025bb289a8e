"""A tree-walking interpreter for checked expression trees: no eval, bounded work and size."""

from __future__ import annotations

import ast
import difflib
import math
import operator
from datetime import timedelta
from typing import Any, Mapping

from engine.errors import ExpressionError
from engine.expressions.checker import CONSTANT_NAMES
from engine.expressions.functions import METHODS, PROPERTIES, SAFE_FUNCTIONS, kind_of, method_of, type_name
from engine.expressions.limits import MAX_INT_BITS, MAX_ITEMS, Budget, check_int, measure, too_large

_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in",
    ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
}
_SEQUENCES = (str, list, tuple)
_CONTAINERS = (str, list, tuple, dict, set, frozenset)


class Interpreter:
    """Evaluates checked trees over a mapping of variables, within one work budget."""

    def __init__(self, variables: Mapping[str, Any], budget: Budget | None = None):
        self.variables = variables
        self.budget = budget or Budget()

    def value(self, node: ast.AST) -> Any:
        """The value of an expression node."""
        self.budget.spend()
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExpressionError(f"{type(node).__name__} is not allowed in the safe expression language")
        return method(node)

    def _Expression(self, node: ast.Expression) -> Any:
        return self.value(node.body)

    def _Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if not (value is None or isinstance(value, (bool, int, float, str))):
            raise ExpressionError(f"{type(value).__name__} literals are not allowed")
        return check_int(value)

    def _Name(self, node: ast.Name) -> Any:
        name = node.id
        if name.startswith("_"):
            raise ExpressionError(f"'{name}': names starting with '_' are not allowed")
        if name in CONSTANT_NAMES:
            return CONSTANT_NAMES[name]
        try:
            return self.variables[name]
        except KeyError:
            raise ExpressionError(undefined_name_message(name, self.variables)) from None

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for operand in node.values:
            result = self.value(operand)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        if not isinstance(operand, (int, float, timedelta)):
            raise ExpressionError(f"the sign {'-' if isinstance(node.op, ast.USub) else '+'} needs a number, not {type_name(operand)}")
        return -operand if isinstance(node.op, ast.USub) else +operand

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        return self.binary(type(node.op), left, right)

    def binary(self, op: type, left: Any, right: Any) -> Any:
        """Apply an arithmetic operator after checking the result stays small."""
        if op not in _BINARY:
            raise ExpressionError(f"the operator {op.__name__} is not allowed")
        if op is ast.Mod and isinstance(left, str):
            raise ExpressionError("the % operator cannot format texts; join texts with +")
        if op is ast.Mult:
            self._check_repeat(left, right)
        elif op is ast.Add and isinstance(left, _CONTAINERS) and isinstance(right, _CONTAINERS):
            if measure(left, self.budget) + measure(right, self.budget) > MAX_ITEMS:
                raise too_large()
        elif op is ast.Pow:
            _check_power(left, right)
        try:
            result = _BINARY[op](left, right)
        except (ArithmeticError, TypeError, ValueError) as error:
            raise ExpressionError(_operation_error(_SYMBOLS[op], left, right, error)) from None
        return check_int(result)

    def _check_repeat(self, left: Any, right: Any) -> None:
        sequence, count = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
        if isinstance(sequence, _SEQUENCES) and isinstance(count, int) and count > 0:
            if count > MAX_ITEMS:
                raise too_large()
            # A list counts once for itself plus its items; only the items repeat.
            items = len(sequence) if isinstance(sequence, str) else measure(sequence, self.budget) - 1
            if items * count > MAX_ITEMS:
                raise too_large()

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator)
            if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, _CONTAINERS):
                raise ExpressionError(f"'{_SYMBOLS[type(op)]}' needs a text, list or dict on its right, not {type_name(right)}")
            try:
                outcome = _COMPARE[type(op)](left, right)
            except (TypeError, ValueError, RecursionError) as error:
                raise ExpressionError(_operation_error(_SYMBOLS[type(op)], left, right, error)) from None
            if not outcome:
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        container = self.value(node.value)
        if isinstance(node.slice, ast.Slice):
            if not isinstance(container, _SEQUENCES):
                raise ExpressionError(f"only texts and lists can be sliced, not {type_name(container)}")
            bounds = [None if part is None else self.value(part) for part in (node.slice.lower, node.slice.upper, node.slice.step)]
            if any(bound is not None and not isinstance(bound, int) for bound in bounds):
                raise ExpressionError("slice bounds must be whole numbers")
            try:
                return container[slice(*bounds)]
            except ValueError as error:
                raise ExpressionError(f"bad slice: {error}") from None
        return item_of(container, self.value(node.slice))

    def _Attribute(self, node: ast.Attribute) -> Any:
        return attribute_of(self.value(node.value), node.attr)

    def _Call(self, node: ast.Call) -> Any:
        args = [self.value(argument) for argument in node.args]
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg.startswith("_"):
                raise ExpressionError("** unpacking and names starting with '_' are not allowed")
            kwargs[keyword.arg] = self.value(keyword.value)
        if isinstance(node.func, ast.Name):
            name = node.func.id
            if name not in SAFE_FUNCTIONS:
                raise ExpressionError(f"calls to '{name}' are not allowed; allowed functions: {', '.join(sorted(SAFE_FUNCTIONS))}")
            function = SAFE_FUNCTIONS[name]
            for argument in args:
                # Functions walk whole lists: count that work too.
                if isinstance(argument, _CONTAINERS):
                    self.budget.spend(min(len(argument), MAX_ITEMS))
        elif isinstance(node.func, ast.Attribute):
            receiver = self.value(node.func.value)
            name = node.func.attr
            bound = method_of(receiver, name)
            args.insert(0, receiver)
            function = bound
        else:
            raise ExpressionError("only the allowed functions and methods can be called")
        try:
            result = function(*args, **kwargs)
        except ExpressionError:
            raise
        except Exception as error:  # a refused call must never leak a traceback to the author
            raise ExpressionError(f"{name}(): {_plain(error)}") from None
        if isinstance(result, _CONTAINERS):
            measure(result, self.budget)
        return check_int(result)

    def _List(self, node: ast.List) -> list:
        return self._sized([self.value(element) for element in node.elts])

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return self._sized(tuple(self.value(element) for element in node.elts))

    def _Set(self, node: ast.Set) -> set:
        try:
            return self._sized({self.value(element) for element in node.elts})
        except TypeError as error:
            raise ExpressionError(f"a set cannot hold that: {_plain(error)}") from None

    def _Dict(self, node: ast.Dict) -> dict:
        result = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                raise ExpressionError("** unpacking is not allowed")
            try:
                result[self.value(key)] = self.value(value)
            except TypeError as error:
                raise ExpressionError(f"a dict key cannot be that: {_plain(error)}") from None
        return self._sized(result)

    def _sized(self, value: Any) -> Any:
        measure(value, self.budget)
        return value


def item_of(container: Any, key: Any) -> Any:
    """container[key] with a message an SOP author understands."""
    if isinstance(container, dict):
        try:
            return container[key]
        except KeyError:
            raise ExpressionError(f"no key {key!r} in the dict (keys: {_key_list(container)})") from None
        except TypeError:
            raise ExpressionError(f"a dict key cannot be {type_name(key)}") from None
    if isinstance(container, _SEQUENCES):
        if not isinstance(key, int):
            raise ExpressionError(f"a position in {type_name(container)} must be a whole number, not {type_name(key)}")
        try:
            return container[key]
        except IndexError:
            raise ExpressionError(f"position {key} is out of range (length {len(container)})") from None
    raise ExpressionError(f"{type_name(container)} has no items to take with [...]")


def attribute_of(value: Any, name: str) -> Any:
    """value.name: a dict key or a date part; never a Python attribute."""
    if name.startswith("_"):
        raise ExpressionError(f"'{name}': names starting with '_' are not allowed")
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise ExpressionError(f"no key '{name}' in the dict (keys: {_key_list(value)})")
    properties = PROPERTIES.get(kind_of(value), frozenset())
    if name in properties:
        return getattr(value, name)
    if kind_of(value) is not None and name in _method_names(value):
        raise ExpressionError(f"'{name}' is a method: call it as .{name}()")
    raise ExpressionError(f"{type_name(value)} has no attribute '{name}'")


def _method_names(value: Any) -> set[str]:
    return set(METHODS.get(kind_of(value), {}))


def _key_list(mapping: dict) -> str:
    keys = [repr(key) for key in list(mapping)[:10]]
    return ", ".join(keys) + (", ..." if len(mapping) > 10 else "") if keys else "none"


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent > MAX_INT_BITS or exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise ExpressionError("the result of ** would be too large (more than about 10**100)")


def _operation_error(symbol: str, left: Any, right: Any, error: Exception) -> str:
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, OverflowError):
        return f"the result of {symbol} is too large"
    if isinstance(error, RecursionError):
        return "the values are nested too deeply to compare"
    return f"cannot apply {symbol} to {type_name(left)} and {type_name(right)}"


def _plain(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]


def undefined_name_message(name: str, variables: Mapping[str, Any]) -> str:
    """`name 'consnt' is not defined (did you mean 'consent'?)`."""
    known = [key for key in variables if isinstance(key, str) and not key.startswith("_")][:5000]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"name '{name}' is not defined{hint}"
