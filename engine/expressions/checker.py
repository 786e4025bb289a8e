"""Parse expression and script texts and refuse everything outside the safe language."""

from __future__ import annotations

import ast
import builtins
import difflib
import textwrap
from functools import lru_cache

from engine.errors import ExpressionError
from engine.expressions.functions import FORBIDDEN_ATTRIBUTES, FUNCTION_KEYWORDS, METHOD_NAMES, METHODS, SAFE_FUNCTIONS
from engine.expressions.limits import MAX_DEPTH, MAX_INT_BITS, MAX_NODES, MAX_SOURCE_CHARS

CONSTANT_NAMES = {"true": True, "false": False, "null": None}

_EXPRESSION_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BoolOp, ast.And, ast.Or, ast.BinOp,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.UnaryOp, ast.Not,
    ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In,
    ast.NotIn, ast.Is, ast.IsNot, ast.IfExp, ast.Subscript, ast.Slice, ast.Attribute, ast.Call,
    ast.keyword, ast.List, ast.Tuple, ast.Dict, ast.Set,
)
_SCRIPT_NODES = _EXPRESSION_NODES + (ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.Pass, ast.Store, ast.Expr)

_REFUSALS = {
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed; use functions such as compact(), pluck(), any(), all()",
    ast.SetComp: "comprehensions are not allowed; use functions such as compact(), pluck(), any(), all()",
    ast.DictComp: "comprehensions are not allowed; use functions such as compact(), pluck(), any(), all()",
    ast.GeneratorExp: "comprehensions are not allowed; use functions such as compact(), pluck(), any(), all()",
    ast.JoinedStr: "f-strings are not allowed; join texts with +",
    ast.NamedExpr: "the := operator is not allowed",
    ast.Starred: "* unpacking is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Import: "imports are not allowed",
    ast.ImportFrom: "imports are not allowed",
    ast.For: "loops are not allowed in scripts",
    ast.AsyncFor: "loops are not allowed in scripts",
    ast.While: "loops are not allowed in scripts",
    ast.FunctionDef: "defining functions is not allowed",
    ast.AsyncFunctionDef: "defining functions is not allowed",
    ast.ClassDef: "defining classes is not allowed",
    ast.With: "with blocks are not allowed",
    ast.AsyncWith: "with blocks are not allowed",
    ast.Try: "try blocks are not allowed",
    ast.Delete: "del is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.Raise: "raise is not allowed",
    ast.Assert: "assert is not allowed",
    ast.Return: "return is not allowed",
    ast.Break: "break is not allowed",
    ast.Continue: "continue is not allowed",
    ast.AnnAssign: "annotated assignments are not allowed; write x = value",
    ast.Match: "match statements are not allowed",
    ast.BitAnd: "the & operator is not allowed; use 'and'",
    ast.BitOr: "the | operator is not allowed; use 'or'",
    ast.BitXor: "the ^ operator is not allowed",
    ast.LShift: "the << operator is not allowed",
    ast.RShift: "the >> operator is not allowed",
    ast.Invert: "the ~ operator is not allowed",
    ast.MatMult: "the @ operator is not allowed",
}

FUNCTION_LIST = ", ".join(sorted(SAFE_FUNCTIONS))


def fail(message: str, text: str, node: ast.AST | None = None, line: int | None = None) -> ExpressionError:
    """An ExpressionError located at the node's line when the text has several lines."""
    line = line if line is not None else getattr(node, "lineno", None)
    if line is not None and "\n" in text.strip():
        message = f"line {line}: {message}"
    return ExpressionError(message, expression=text, line=line)


def _parse(text: str, mode: str, what: str) -> ast.AST:
    if not isinstance(text, str):
        raise ExpressionError(f"the {what} must be a text, not {type(text).__name__}", expression=str(text)[:200])
    if len(text) > MAX_SOURCE_CHARS:
        raise ExpressionError(
            f"the {what} is too long ({len(text):,} characters; limit {MAX_SOURCE_CHARS:,})", expression=text[:200]
        )
    if not text.strip():
        raise ExpressionError(f"the {what} is empty", expression=text)
    if "\x00" in text:
        raise ExpressionError(f"the {what} contains a NUL character", expression=text)
    source = text.strip() if mode == "eval" else text
    try:
        try:
            return ast.parse(source, mode=mode)
        except SyntaxError:
            if mode != "eval" or "\n" not in source:
                raise
        # A condition spread over several lines of the diagram reads as one, as inside brackets.
        try:
            return ast.parse("(" + source + "\n)", mode=mode)
        except SyntaxError as wrapped:
            if wrapped.lineno == 1 and wrapped.offset:
                wrapped.offset -= 1  # the "(" we added
            raise wrapped from None
    except SyntaxError as error:
        where = f" (column {error.offset})" if error.offset and error.lineno == 1 and mode == "eval" else ""
        reason = error.msg
        if "too many nested" in reason or "too complex" in reason:
            raise fail(f"the {what} is nested too deeply", text) from None
        raise fail(f"the {what} is not valid: {reason}{where}", text, line=error.lineno) from None
    except (RecursionError, MemoryError):
        raise fail(f"the {what} is nested too deeply", text) from None
    except ValueError as error:
        raise fail(f"the {what} is not valid: {error}", text) from None


def _check_node(node: ast.AST, text: str, allowed: tuple, script: bool) -> None:
    kind = type(node)
    if kind in _REFUSALS:
        raise fail(_REFUSALS[kind], text, node)
    if not isinstance(node, allowed):
        raise fail(f"{kind.__name__} is not allowed in the safe expression language", text, node)
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise fail(f"'{node.id}': names starting with '_' are not allowed", text, node)
        if isinstance(node.ctx, ast.Store) and node.id in CONSTANT_NAMES:
            raise fail(f"'{node.id}' is a constant and cannot be assigned", text, node)
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise fail(f"'{node.attr}': names starting with '_' are not allowed", text, node)
        if node.attr in FORBIDDEN_ATTRIBUTES:
            raise fail(f"'{node.attr}' is not allowed", text, node)
    elif isinstance(node, ast.Constant):
        _check_constant(node, text)
    elif isinstance(node, ast.Call):
        _check_call(node, text)
    elif isinstance(node, ast.keyword):
        if node.arg is None:
            raise fail("** unpacking is not allowed", text, node)
        if node.arg.startswith("_"):
            raise fail(f"'{node.arg}': names starting with '_' are not allowed", text, node)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
        raise fail("the % operator cannot format texts; join texts with +", text, node)
    elif isinstance(node, ast.Expr) and not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
        raise fail("a script may only assign values (x = ...); this line computes a value and drops it", text, node)
    elif isinstance(node, (ast.Assign, ast.AugAssign)):
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            _check_target(target, text)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _check_constant(node: ast.Constant, text: str) -> None:
    value = node.value
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise fail("the number is too large (more than about 10**100)", text, node)
        return
    if isinstance(value, bytes):
        raise fail("bytes literals are not allowed", text, node)
    raise fail(f"{type(value).__name__} literals are not allowed", text, node)


def _check_call(node: ast.Call, text: str) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id.startswith("_"):
            raise fail(f"'{func.id}': names starting with '_' are not allowed", text, node)
        if func.id not in SAFE_FUNCTIONS:
            # A Python builtin (type, open, eval...) is refused on purpose, not misspelt.
            close = [] if hasattr(builtins, func.id) else difflib.get_close_matches(func.id, SAFE_FUNCTIONS, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise fail(f"calls to '{func.id}' are not allowed{hint}; allowed functions: {FUNCTION_LIST}", text, node)
        accepted = FUNCTION_KEYWORDS[func.id]
        for keyword in node.keywords:
            if accepted is not None and keyword.arg is not None and keyword.arg not in accepted:
                hint = f"; it accepts {', '.join(sorted(accepted))}" if accepted else ""
                raise fail(f"{func.id}() does not accept the argument '{keyword.arg}'{hint}", text, node)
    elif isinstance(func, ast.Attribute):
        if not func.attr.startswith("_") and func.attr not in METHOD_NAMES:
            if _is_text(func.value):
                allowed = ", ".join(sorted(METHODS[str]))
                raise fail(f"'{func.attr}' is not an allowed method of str; allowed methods: {allowed}", text, node)
            allowed = ", ".join(sorted(METHOD_NAMES))
            raise fail(f"'{func.attr}' is not an allowed method; allowed methods: {allowed}", text, node)
    else:
        raise fail("only the allowed functions and methods can be called", text, node)


def _check_target(target: ast.AST, text: str) -> None:
    if isinstance(target, ast.Name):
        return
    if isinstance(target, ast.Tuple):
        for element in target.elts:
            if not isinstance(element, ast.Name):
                raise fail("only names can be unpacked into: a, b = 1, 2", text, target)
        return
    if isinstance(target, ast.Subscript):
        base = target.value
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name) and not isinstance(target.slice, ast.Slice):
            return
    raise fail("only variables and their items can be assigned: x = ..., x['key'] = ...", text, target)


def _walk(tree: ast.AST, text: str, allowed: tuple, script: bool) -> None:
    count = 0
    stack = [(tree, 0)]
    first: ExpressionError | None = None
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise fail(f"the expression is too long (more than {MAX_NODES:,} parts)", text)
        if depth > MAX_DEPTH:
            raise fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", text, node)
        try:
            _check_node(node, text, allowed, script)
        except ExpressionError as error:
            # A '_' name is the clearest sign of an escape attempt: report it before anything else.
            if "names starting with '_'" in error.message:
                raise
            first = first or error
        stack.extend((child, depth + 1) for child in reversed(list(ast.iter_child_nodes(node))))
    if first is not None:
        raise first


@lru_cache(maxsize=2048)
def parse_expression(text: str) -> ast.Expression:
    """The checked tree of a Python-form expression (no JUEL), or an ExpressionError."""
    tree = _parse(text, "eval", "expression")
    _walk(tree, text, _EXPRESSION_NODES, script=False)
    return tree


@lru_cache(maxsize=1024)
def parse_script(text: str) -> ast.Module:
    """The checked tree of a script, or an ExpressionError."""
    # Modelers indent the script to the XML around it; the lines keep their numbers.
    text = textwrap.dedent(text)
    tree = _parse(text, "exec", "script")
    _walk(tree, text, _SCRIPT_NODES, script=True)
    return tree
