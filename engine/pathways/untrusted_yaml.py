"""Reading of untrusted YAML (pathway metadata, labels, scenarios): safe types only, bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

# Labels and scenarios of a large pathway stay far below this; more is a mistake or an attack.
MAX_YAML_BYTES = 512 * 1024
# Aliases are how "billion laughs" arrives in YAML; hand-written pathway files need very few.
MAX_ALIASES = 50


@dataclass(frozen=True)
class YamlProblem:
    """Why a YAML file could not be read, with the line where the reader stopped (if known)."""

    message: str
    line: int | None = None


def load_untrusted_yaml(data: bytes, max_bytes: int = MAX_YAML_BYTES) -> Any | YamlProblem:
    """Parse `data` as YAML with plain types only, returning the value or a YamlProblem."""
    if len(data) > max_bytes:
        return YamlProblem(f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return YamlProblem("the file is not UTF-8 text; save it as UTF-8", line)
    try:
        aliases = sum(1 for event in yaml.parse(text, Loader=yaml.SafeLoader) if isinstance(event, yaml.AliasEvent))
        if aliases > MAX_ALIASES:
            return YamlProblem(f"the file uses {aliases} aliases (*name); the limit is {MAX_ALIASES}")
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "syntax error"
        return YamlProblem(f"the file is not valid YAML: {reason}", mark.line + 1 if mark else None)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        return YamlProblem(f"the file is not valid YAML: {_first_line(error)}")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
