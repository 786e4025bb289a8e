"""The engine's own loading of the pathway, so that nothing failing at run time passes validation."""

from __future__ import annotations

import re

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
        return [Problem(source.main, None, None, None, f"the engine cannot load this diagram: {type(error).__name__}: {_first_line(error)}", "runtime.parse")]
    return []


# The runtime's one-line errors read "file (line N), element 'id' (name): message".
_LOCATED = re.compile(r"^(?P<file>[^\s:(]+?)(?: \(line (?P<line>\d+)\))?(?:, element '(?P<id>[^']*)'(?: \((?P<name>.*?)\))?)?: (?P<message>.+)$")


def _located(source: PathwaySource, error: Exception) -> Problem:
    message = getattr(error, "message", None)
    if isinstance(message, str) and message.strip():
        file = getattr(error, "file", None)
        return Problem(
            file if file in source.files else source.main,
            getattr(error, "line", None) if file in source.files else None,
            getattr(error, "element_id", None),
            getattr(error, "element_name", None),
            " ".join(message.split()),
            "runtime.parse",
        )
    text = _first_line(error)
    match = _LOCATED.match(text)
    if match and match.group("file") in source.files:
        return Problem(match.group("file"), int(match.group("line")) if match.group("line") else None,
                       match.group("id"), match.group("name"), match.group("message"), "runtime.parse")
    return Problem(source.main, None, None, None, f"the engine cannot load this diagram: {text}", "runtime.parse")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
