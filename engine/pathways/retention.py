"""A pathway's `retention:` declaration (pathway.yaml): how long after closure a case keeps the person's
data, and which form fields stay afterwards because the indicators count them.

    retention:
      anonymise_after_closure: P5Y
      keep_for_statistics: [region, sex, age, risk_level, need_health]

Every other form field of the pathway is personal and is removed when the case is anonymised. A
pathway that declares no retention keeps its closed cases as they are (nothing is removed by surprise).
Applied by `engine.services.cases.retention`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from engine.errors import ExpressionError
from engine.pathways.sharing import duration_of


@dataclass(frozen=True)
class RetentionRule:
    """When a closed case is anonymised (None: never), and the fields it keeps for statistics."""

    anonymise_after_closure: timedelta | None = None
    keep_for_statistics: frozenset[str] = frozenset()


def retention_problems(declared: Any) -> list[str]:
    """What is wrong with a `retention:` declaration of pathway.yaml (empty when it is right)."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return ["retention must be a mapping with anonymise_after_closure: and keep_for_statistics:"]
    problems = [f"retention has an unknown key '{key}'; known keys are anonymise_after_closure, keep_for_statistics"
                for key in declared if key not in ("anonymise_after_closure", "keep_for_statistics")]
    try:
        duration_of(declared.get("anonymise_after_closure"))
    except (ExpressionError, TypeError):
        problems.append(f"anonymise_after_closure {str(declared.get('anonymise_after_closure'))[:40]!r} "
                        "is not an ISO 8601 duration such as P5Y")
    kept = declared.get("keep_for_statistics", [])
    if not isinstance(kept, list) or not all(isinstance(name, str) for name in kept):
        problems.append("retention.keep_for_statistics must be a list of field ids")
    return problems


def retention_rule_of(metadata: dict) -> RetentionRule:
    """The retention rule declared by a pathway's metadata (closed cases kept as they are when none)."""
    declared = metadata.get("retention")
    if not isinstance(declared, dict) or retention_problems(declared):
        return RetentionRule()
    return RetentionRule(duration_of(declared["anonymise_after_closure"]), frozenset(declared.get("keep_for_statistics") or ()))
