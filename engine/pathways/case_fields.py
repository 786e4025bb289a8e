"""A pathway's `case_fields:` declaration (pathway.yaml): which of its form fields the case's own record
takes its priority, risk level, region and closure reason from.

    case_fields:
      priority: priority              # an enum field: emergency, urgent or normal
      risk_level: risk_level          # an enum field: high, medium or low
      region: region                  # the region the case lists and counts under
      closure_reason: closure_reason  # why the case closed, read from its data when it ends

These are facts of the case, not of one step: whichever form holds the field (the opening form
included) sets the case's column, and `closure_reason` is read from the case's data when its
workflow ends (a form or a script may set it). Every key is optional and defaults to today's name,
so a pathway that declares none runs as before. Applied by `engine.services.tasks.completion`,
`engine.services.cases.lifecycle` and `engine.services.cases.sync`; checked by
`engine.pathways.rules.sharing.check_case_fields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from engine.domain import CloseReason, Priority, RiskLevel

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
REGION_MAX = 64


@dataclass(frozen=True)
class CaseFields:
    """The ids of the form fields the case's record takes its own facts from, today's names the defaults."""

    priority: str = "priority"
    risk_level: str = "risk_level"
    region: str = "region"
    closure_reason: str = "closure_reason"

    def facts_of(self, data: dict) -> dict[str, Any]:
        """The case's priority, risk level and region that `data` (a form's, or the opening data) sets,
        by column: a value the case cannot hold is left out, as if the form had not set it."""
        found: dict[str, Any] = {}
        if data.get(self.priority) in Priority.__members__.values():
            found["priority"] = Priority(data[self.priority])
        if data.get(self.risk_level) in RiskLevel.__members__.values():
            found["risk_level"] = RiskLevel(data[self.risk_level])
        if isinstance(data.get(self.region), str):
            found["region"] = data[self.region][:REGION_MAX]
        return found

    def close_reason_of(self, data: dict) -> CloseReason:
        """The closure reason the pathway recorded, as one of ours (consent refused counts as other)."""
        try:
            return CloseReason(data.get(self.closure_reason))
        except ValueError:
            return CloseReason.OTHER


KNOWN_KEYS = tuple(field.name for field in fields(CaseFields))


def case_fields_problems(declared: Any) -> list[str]:
    """What is wrong with a `case_fields:` declaration of pathway.yaml (empty when it is right)."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return [f"case_fields must be a mapping of {', '.join(KNOWN_KEYS)} to field ids"]
    problems = [f"case_fields has an unknown key '{key}'; known keys are {', '.join(KNOWN_KEYS)}"
                for key in declared if key not in KNOWN_KEYS]
    problems += [f"case_fields.{key} must be one field id" for key, name in declared.items()
                 if key in KNOWN_KEYS and not (isinstance(name, str) and _FIELD.match(name))]
    return problems


def case_fields_of(metadata: dict) -> CaseFields:
    """The case fields a pathway's metadata declares (today's names for any it leaves out)."""
    declared = metadata.get("case_fields") if isinstance(metadata, dict) else None
    if not isinstance(declared, dict) or case_fields_problems(declared):
        return CaseFields()
    return CaseFields(**{key: name for key, name in declared.items() if key in KNOWN_KEYS})
