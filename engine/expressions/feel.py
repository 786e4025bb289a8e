"""Translate the FEEL of Camunda Forms' conditions (`=decision = "declined" and not(child)`) into the safe language.

Only what form conditions are written with is translated: comparisons (`=`, `!=`, `<`, `<=`, `>`,
`>=`), `and`, `or`, `not(...)`, brackets, text, number, true/false and null literals, field names,
and `list contains(list, item)`. `x = null` becomes `x is None`. Anything else (paths with dots,
ranges, `if`/`for`/`some`, other functions, names with spaces) is refused with an ExpressionError
saying what; the author then draws the condition another way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from engine.errors import ExpressionError
from engine.expressions.juel import _Parser as _TokenParser

# Each level of brackets costs a few Python frames: stay far from the stack limit.
MAX_NESTING = 40
MAX_CHARS = 2000

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      |(?P<string>"(?:[^"\\]|\\.)*")
      |(?P<number>-?\d+(?:\.\d+)?)
      |(?P<contains>list\s+contains\b)
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>!=|<=|>=|[=<>(),])""",
    re.VERBOSE | re.DOTALL,
)
_COMPARISONS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_KEYWORDS = {"and", "or", "not", "if", "then", "else", "for", "in", "some", "every", "satisfies", "between", "instance", "of", "function"}


@dataclass
class _Token:
    kind: str
    text: str
    column: int


def translate_feel(text: str) -> str:
    """The safe-language form of a FEEL condition (a leading '=' is Camunda's mark of an expression)."""
    source = text.strip()
    if source.startswith("="):
        source = source[1:]
    if len(source) > MAX_CHARS:
        raise ExpressionError(f"cannot translate the FEEL condition: longer than {MAX_CHARS} characters", expression=text)
    return _Parser(source, text).parse()


class _Parser(_TokenParser):
    """Reads tokens as the JUEL translator does (peek, take, expect); FEEL's own tokens and grammar."""

    def __init__(self, source: str, whole: str):
        self.whole = whole
        self.tokens = self._tokenize(source, 0)
        self.position = 0
        self.depth = 0

    def error(self, message: str, column: int | None = None) -> ExpressionError:
        where = f" (column {column})" if column else ""
        return ExpressionError(f"cannot translate the FEEL condition: {message}{where}", expression=self.whole)

    def _tokenize(self, source: str, offset: int) -> list[_Token]:
        tokens, index = [], 0
        while index < len(source):
            match = _TOKEN.match(source, index)
            if not match:
                found = source[index]
                word = "paths with dots" if found == "." else f"the character {found!r}"
                raise self.error(f"{word} cannot be translated", index + 1)
            if match.lastgroup != "space":
                tokens.append(_Token(match.lastgroup, match.group(), index + 1))
            index = match.end()
        tokens.append(_Token("end", "", 0))
        return tokens

    def parse(self) -> str:
        if self.peek().kind == "end":
            raise self.error("the condition is empty")
        code = self.disjunction()
        token = self.peek()
        if token.kind != "end":
            raise self.error(f"unexpected {token.text!r}", token.column)
        return code

    def _nested(self, parse):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nested too deeply (more than {MAX_NESTING} levels)", self.peek().column)
        try:
            return parse()
        finally:
            self.depth -= 1

    def disjunction(self) -> str:
        return self._nested(lambda: self._joined("or", self.conjunction))

    def conjunction(self) -> str:
        return self._joined("and", self.comparison)

    def _joined(self, word: str, part) -> str:
        parts = [part()]
        while self.peek().kind == "name" and self.peek().text == word:
            self.take()
            parts.append(part())
        return parts[0] if len(parts) == 1 else "(" + f" {word} ".join(parts) + ")"

    def comparison(self) -> str:
        left = self.operand()
        token = self.peek()
        if token.kind != "op" or token.text not in _COMPARISONS:
            return left
        self.take()
        right = self.operand()
        if "None" in (left, right) and token.text in ("=", "!="):
            # `x = null` is true for a field left empty; `is` never fails on a value of another type.
            other = right if left == "None" else left
            return f"({other} {'is' if token.text == '=' else 'is not'} None)"
        return f"({left} {_COMPARISONS[token.text]} {right})"

    def operand(self) -> str:
        token = self.take()
        if token.kind == "string":
            try:
                return repr(json.loads(token.text))
            except ValueError:
                raise self.error(f"the text {token.text[:40]} has an escape that cannot be translated", token.column) from None
        if token.kind == "number":
            return token.text
        if token.kind == "contains":
            self.expect("(")
            container = self._nested(self.disjunction)
            self.expect(",")
            item = self._nested(self.disjunction)
            self.expect(")")
            # An empty list field holds nothing: it contains nothing rather than failing.
            return f"({item} in ({container} or []))"
        if token.kind == "op" and token.text == "(":
            inner = self._nested(self.disjunction)
            self.expect(")")
            return inner
        if token.kind == "name":
            if token.text in _LITERALS:
                return _LITERALS[token.text]
            if token.text == "not":
                self.expect("(")
                inner = self._nested(self.disjunction)
                self.expect(")")
                return f"(not {inner})"
            if token.text in _KEYWORDS:
                raise self.error(f"'{token.text}' cannot be translated; keep to comparisons, and, or, not(...) and list contains", token.column)
            if self.peek().text == "(":
                raise self.error(f"the function {token.text}() cannot be translated; only list contains(...) and not(...) can", token.column)
            return token.text
        raise self.error(f"unexpected {token.text or 'end'!r}", token.column)
