"""Bounds on the size of and the work done by one expression or script."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from engine.errors import ExpressionError

MAX_SOURCE_CHARS = 10_000
MAX_NODES = 5_000
MAX_DEPTH = 100
# Every text, list or dict an expression builds counts its items (nested ones too).
MAX_ITEMS = 100_000
MAX_INT_BITS = 333  # about 10**100
MAX_STEPS = 200_000
MAX_ROUND_DIGITS = 15

Result = TypeVar("Result")


class Budget:
    """Counts the work of one evaluation and stops it when it is spent."""

    def __init__(self, steps: int = MAX_STEPS):
        self.left = steps

    def spend(self, steps: int = 1) -> None:
        self.left -= steps
        if self.left < 0:
            raise ExpressionError(
                f"the expression takes too much work (more than {MAX_STEPS:,} steps)"
            )


def measure(value: Any, budget: Budget, limit: int = MAX_ITEMS) -> int:
    """Count the items a value holds (characters for texts), stopping past the limit."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        budget.spend()
        if isinstance(item, str):
            total += len(item) or 1
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            raise too_large()
    return total


def too_large() -> ExpressionError:
    return ExpressionError(f"the value is too large (more than {MAX_ITEMS:,} items or characters)")


def check_int(value: Any) -> Any:
    """Refuse integers past the bound; pass every other value through."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError("the number is too large (more than about 10**100)")
    return value


def guarded(text: Any, action: Callable[[], Result], what: str = "expression") -> Result:
    """Run an action so that whatever goes wrong comes out as one ExpressionError about `text`."""
    if not isinstance(text, str):
        raise ExpressionError(f"the {what} must be a text, not {type(text).__name__}", expression=repr(text)[:200])
    if len(text) > MAX_SOURCE_CHARS:
        raise ExpressionError(
            f"the {what} is too long ({len(text):,} characters; limit {MAX_SOURCE_CHARS:,})", expression=text[:200]
        )
    try:
        return action()
    except ExpressionError as error:
        if not error.expression:
            error.expression = text
        if "\n" in error.message:  # messages are one line, whatever text they quote
            error.message = " ".join(error.message.split())
            error.args = (error.message,)
        raise
    except (RecursionError, MemoryError):
        raise ExpressionError(f"the {what} is too large or nested too deeply", expression=text) from None
    except Exception as error:  # noqa: BLE001 - untrusted text must never reach the user as a traceback
        raise ExpressionError(f"the {what} failed: {type(error).__name__}: {error}"[:300], expression=text) from None
