"""Reading of untrusted YAML (pathway metadata, labels, scenarios): safe types only, bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

# Labels and scenarios of a large pathway stay far below this; more is a mistake or an attack.
MAX_YAML_BYTES = 512 * 1024
# Aliases are how "billion laughs" arrives in YAML; hand-written pathway files need very few.
MAX_ALIASES = 50
# Nested aliases multiply: nine lists of nine aliases are already millions of values once expanded.
MAX_EXPANDED_NODES = 100_000
# The C loader (libyaml) is ten times faster and builds the same safe, plain types.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        if "*" in text:
            aliases = sum(1 for event in yaml.parse(text, Loader=_LOADER) if isinstance(event, yaml.AliasEvent))
            if aliases > MAX_ALIASES:
                return YamlProblem(f"the file uses {aliases} aliases (*name); the limit is {MAX_ALIASES}")
            if aliases and _expanded_size(yaml.compose(text, Loader=_LOADER)) > MAX_EXPANDED_NODES:
                return YamlProblem("the file's aliases (*name) expand to too much data; write the values out instead")
        return yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "syntax error"
        return YamlProblem(f"the file is not valid YAML: {reason}", mark.line + 1 if mark else None)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        return YamlProblem(f"the file is not valid YAML: {_first_line(error)}")


def _expanded_size(root: yaml.Node | None) -> int:
    """How many nodes the document holds once every alias is written out (computed without expanding)."""
    sizes: dict[int, int] = {}
    # Post-order walk with an explicit stack: documents may nest deeper than Python's recursion limit.
    stack = [(root, False)] if root is not None else []
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes.get(id(c), 0) for c in children), MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes.get(id(root), 0)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
