"""Translate Camunda's JUEL expressions (`${consent == true && !urgent}`) into the safe language."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from engine.errors import ExpressionError
from engine.expressions.functions import METHOD_NAMES
from engine.expressions.limits import MAX_DEPTH, guarded

# Each level of brackets costs this parser about ten Python frames: stay far from the stack limit.
MAX_NESTING = 40
# Python precedence of what we emit; a child is parenthesised when it binds more loosely.
TERNARY, OR, AND, NOT, COMPARE, ADD, MUL, UNARY, ATOM = 0, 1, 2, 3, 4, 6, 7, 8, 10

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      |(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      |(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      |(?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
      |(?P<op>&&|\|\||==|!=|<=|>=|[<>!+\-*/%?:()\[\].,=])""",
    re.VERBOSE | re.DOTALL,
)
_WORD_OPERATORS = {"and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod", "empty", "instanceof"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_EQUALITY = {"==": "==", "!=": "!=", "eq": "==", "ne": "!="}
_RELATION = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
_MULTIPLY = {"*": "*", "/": "/", "div": "/", "%": "%", "mod": "%"}
_JAVA_METHODS = {"toLowerCase": "lower", "toUpperCase": "upper", "trim": "strip", "startsWith": "startswith", "endsWith": "endswith"}


@dataclass
class _Token:
    kind: str
    text: str
    column: int  # 1-based, in the whole original text


@dataclass
class _Code:
    text: str
    precedence: int


class _Parser:
    def __init__(self, source: str, offset: int, whole: str):
        self.whole = whole
        self.tokens = self._tokenize(source, offset)
        self.position = 0
        self.depth = 0

    def error(self, message: str, column: int | None = None) -> ExpressionError:
        where = f" (column {column})" if column else ""
        return ExpressionError(f"cannot translate the JUEL expression: {message}{where}", expression=self.whole)

    def _tokenize(self, source: str, offset: int) -> list[_Token]:
        tokens, index = [], 0
        while index < len(source):
            match = _TOKEN.match(source, index)
            if not match:
                raise self.error(f"unexpected character {source[index]!r}", offset + index + 1)
            if match.lastgroup != "space":
                kind = match.lastgroup
                if kind == "name" and match.group() in _WORD_OPERATORS:
                    kind = "op"
                tokens.append(_Token(kind, match.group(), offset + index + 1))
            index = match.end()
        tokens.append(_Token("end", "", offset + len(source) + 1))
        return tokens

    def peek(self) -> _Token:
        return self.tokens[self.position]

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, text: str) -> _Token:
        token = self.take()
        if token.text != text or token.kind not in ("op",):
            found = repr(token.text) if token.text else "the end"
            raise self.error(f"expected '{text}' but found {found}", token.column)
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in texts

    def parse(self) -> str:
        if self.peek().kind == "end":
            raise self.error("the expression inside ${...} is empty", self.peek().column)
        code = self.ternary()
        token = self.peek()
        if token.kind != "end":
            if token.text == "=":
                raise self.error("'=' assigns; use '==' to compare", token.column)
            raise self.error(f"unexpected {token.text!r}", token.column)
        return code.text

    def ternary(self) -> _Code:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"the expression is nested too deeply (more than {MAX_NESTING} levels)", self.peek().column)
        try:
            return self._ternary()
        finally:
            self.depth -= 1

    def _ternary(self) -> _Code:
        condition = self.logical_or()
        if not self.at("?"):
            return condition
        self.take()
        when_true = self.ternary()
        self.expect(":")
        when_false = self.ternary()
        return _Code(f"{wrap(when_true, OR)} if {wrap(condition, OR)} else {wrap(when_false, TERNARY)}", TERNARY)

    def logical_or(self) -> _Code:
        code = self.logical_and()
        while self.at("||", "or"):
            self.take()
            code = _Code(f"{wrap(code, OR)} or {wrap(self.logical_and(), OR)}", OR)
        return code

    def logical_and(self) -> _Code:
        code = self.equality()
        while self.at("&&", "and"):
            self.take()
            code = _Code(f"{wrap(code, AND)} and {wrap(self.equality(), AND)}", AND)
        return code

    def equality(self) -> _Code:
        return self._comparison(self.relation, _EQUALITY)

    def relation(self) -> _Code:
        return self._comparison(self.additive, _RELATION)

    def _comparison(self, operand, operators: dict[str, str]) -> _Code:
        code = operand()
        while self.at(*operators):
            symbol = operators[self.take().text]
            # JUEL compares left to right; Python would chain, so keep each side whole.
            code = _Code(f"{wrap(code, ADD)} {symbol} {wrap(operand(), ADD)}", COMPARE)
        return code

    def additive(self) -> _Code:
        code = self.multiplicative()
        while self.at("+", "-"):
            symbol = self.take().text
            code = _Code(f"{wrap(code, ADD)} {symbol} {wrap(self.multiplicative(), MUL)}", ADD)
        return code

    def multiplicative(self) -> _Code:
        code = self.unary()
        while self.at(*_MULTIPLY):
            symbol = _MULTIPLY[self.take().text]
            code = _Code(f"{wrap(code, MUL)} {symbol} {wrap(self.unary(), UNARY)}", MUL)
        return code

    def unary(self) -> _Code:
        prefixes = []
        while self.at("!", "not", "-", "empty"):
            prefixes.append(self.take())
            if len(prefixes) > MAX_DEPTH:
                raise self.error(f"too many operators in a row (more than {MAX_DEPTH})", prefixes[-1].column)
        code = self.postfix()
        for prefix in reversed(prefixes):
            if prefix.text in ("!", "not"):
                code = _Code(f"not {wrap(code, NOT)}", NOT)
            elif prefix.text == "-":
                code = _Code(f"-{wrap(code, UNARY)}", UNARY)
            else:
                code = _Code(f"is_empty({code.text})", ATOM)
        return code

    def postfix(self) -> _Code:
        code = self.primary()
        while self.at(".", "["):
            if self.take().text == "[":
                index = self.ternary()
                self.expect("]")
                code = _Code(f"{wrap(code, ATOM)}[{index.text}]", ATOM)
                continue
            name = self.take()
            if name.kind != "name":
                raise self.error("expected a property name after '.'", name.column)
            if self.at("("):
                self.take()
                code = self.method_call(code, name, self.arguments())
            else:
                code = _Code(f"{wrap(code, ATOM)}.{self.identifier(name)}", ATOM)
        return code

    def arguments(self) -> list[_Code]:
        arguments = []
        if not self.at(")"):
            arguments.append(self.ternary())
            while self.at(","):
                self.take()
                arguments.append(self.ternary())
        self.expect(")")
        return arguments

    def method_call(self, receiver: _Code, name: _Token, arguments: list[_Code]) -> _Code:
        method, count = name.text, len(arguments)
        if method in ("size", "length") and count == 0:
            return _Code(f"len({receiver.text})", ATOM)
        if method == "isEmpty" and count == 0:
            return _Code(f"is_empty({receiver.text})", ATOM)
        if method == "equals" and count == 1:
            return _Code(f"{wrap(receiver, ADD)} == {wrap(arguments[0], ADD)}", COMPARE)
        if method in ("contains", "containsKey") and count == 1:
            return _Code(f"{wrap(arguments[0], ADD)} in {wrap(receiver, ADD)}", COMPARE)
        method = _JAVA_METHODS.get(method, method)
        if method not in METHOD_NAMES or method.startswith("_"):
            raise self.error(f"the method '{name.text}' has no equivalent in the safe language", name.column)
        listed = ", ".join(argument.text for argument in arguments)
        return _Code(f"{wrap(receiver, ATOM)}.{method}({listed})", ATOM)

    def primary(self) -> _Code:
        token = self.take()
        if token.kind == "string":
            return _Code(repr(_unescape(token.text)), ATOM)
        if token.kind == "number":
            return _Code(token.text, ATOM)
        if token.kind == "name":
            if token.text in _LITERALS:
                return _Code(_LITERALS[token.text], ATOM)
            if token.text == "execution":
                return self.execution_variable(token)
            name = self.identifier(token)
            if self.at("("):
                self.take()
                listed = ", ".join(argument.text for argument in self.arguments())
                return _Code(f"{name}({listed})", ATOM)
            return _Code(name, ATOM)
        if token.kind == "op" and token.text == "(":
            inner = self.ternary()
            self.expect(")")
            return inner
        found = repr(token.text) if token.text else "the end of the expression"
        raise self.error(f"unexpected {found}", token.column)

    def execution_variable(self, token: _Token) -> _Code:
        # execution.getVariable('x') is the only part of Camunda's execution object with a meaning here.
        if self.at(".") and self.tokens[self.position + 1].text == "getVariable":
            self.take(), self.take()
            self.expect("(")
            argument = self.take()
            self.expect(")")
            name = _unescape(argument.text) if argument.kind == "string" else ""
            if name.isidentifier() and not keyword.iskeyword(name):
                return _Code(name, ATOM)
            raise self.error("getVariable() needs a variable name in quotes", argument.column)
        raise self.error("Camunda's 'execution' object is not available; use the variable's name directly", token.column)

    def identifier(self, token: _Token) -> str:
        name = token.text
        if "$" in name:
            raise self.error(f"'{name}': '$' cannot be used in names", token.column)
        if keyword.iskeyword(name):
            raise self.error(f"'{name}' cannot be used as a name", token.column)
        return name


def wrap(code: _Code, minimum: int) -> str:
    """The code's text, in parentheses when it binds more loosely than the position needs."""
    return code.text if code.precedence >= minimum else f"({code.text})"


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1], flags=re.DOTALL)


def is_juel(text: str) -> bool:
    """True when the text holds a `${...}` or `#{...}` JUEL expression."""
    return "${" in text or "#{" in text


def translate_juel(text: str) -> str:
    """`${a == b && !c}` -> `a == b and not c`; text around ${...} becomes string concatenation."""
    return guarded(text, lambda: _translate(text), "JUEL expression")


def _translate(text: str) -> str:
    parts = _split_composite(text)
    expressions = [part for part in parts if isinstance(part, tuple)]
    literal_text = "".join(part for part in parts if isinstance(part, str))
    if len(expressions) == 1 and not literal_text.strip():
        source, offset = expressions[0]
        return _Parser(source, offset, text).parse()
    pieces = []
    for part in parts:
        if isinstance(part, tuple):
            pieces.append(f"str({_Parser(part[0], part[1], text).parse()})")
        elif part:
            pieces.append(repr(part))
    return " + ".join(pieces) or "''"


def _split_composite(text: str) -> list:
    """Literal texts (str) and ${...} bodies with their offset ((source, offset) tuples)."""
    parts: list = []
    literal, index = [], 0
    while index < len(text):
        if text.startswith(("\\${", "\\#{"), index):
            literal.append(text[index + 1:index + 3])
            index += 3
        elif text.startswith(("${", "#{"), index):
            end = _closing_brace(text, index + 2)
            if end < 0:
                raise ExpressionError(
                    f"cannot translate the JUEL expression: the '{text[index:index + 2]}' at column {index + 1} is never closed with '}}'",
                    expression=text,
                )
            parts.append("".join(literal))
            literal = []
            parts.append((text[index + 2:end], index + 2))
            index = end + 1
        else:
            literal.append(text[index])
            index += 1
    parts.append("".join(literal))
    return parts


def _closing_brace(text: str, start: int) -> int:
    quote, index = None, start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "}":
            return index
        index += 1
    return -1
