"""The engine's own loading of the pathway, so that nothing failing at run time passes validation."""

from __future__ import annotations

from engine.errors import AiguillageError
from engine.pathways.folder import PathwaySource
from engine.pathways.problems import Problem


def check_runtime_parse(source: PathwaySource) -> list[Problem]:
    """Load the specs as a case would; any refusal becomes a problem located as well as the error allows."""
    try:
        from engine.runtime.specs import load_specs
    except ImportError:  # the runtime is optional while the engine is assembled
        return []
    try:
        load_specs(source.files, source.main, source.process_id)
    except AiguillageError as error:
        return [_located(source, error)]
    except Exception as error:  # noqa: BLE001 - a crash in the library is still the author's file to fix
        return [Problem(source.main, None, None, None, f"the engine cannot load this diagram: {_plain(type(error).__name__ + ': ' + _first_line(error))}", "runtime.parse")]
    return []


def _located(source: PathwaySource, error: Exception) -> Problem:
    # engine.runtime.specs.PathwayLoadError says where in attributes; other errors only in text.
    message = getattr(error, "message", None)
    if isinstance(message, str) and message.strip():
        file = getattr(error, "file", None)
        return Problem(
            file if file in source.files else source.main,
            getattr(error, "line", None) if file in source.files else None,
            getattr(error, "element_id", None),
            getattr(error, "element_name", None),
            _plain(message),
            "runtime.parse",
        )
    return Problem(source.main, None, None, None, f"the engine cannot load this diagram: {_plain(_first_line(error))}", "runtime.parse")


def _plain(message: str) -> str:
    if "RecursionError" in message or "recursion depth" in message:
        # Spiff walks chains of steps recursively: a very long chain exhausts Python's stack.
        return "the diagram is too long a chain of steps for the engine to load; split it into call activities"
    return " ".join(message.split())


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
