"""A pathway's `case_summary:` declaration (pathway.yaml): what a case page's header says of the person, and
how the pathway's forms name the needs assessed.

    case_summary:
      person: [person_alias, sex, age, language, risk_level]
      alias: person_alias           # the name the person is known by: what case staff search for
      needs:
        needed: need_{sector}       # a yes/no field per sector: the need was assessed
        urgency: "{sector}_urgency" # that need's urgency

`{sector}` stands for one of the engine's sectors (health, shelter, ...): every form field whose id
fits `needed` names a need. The engine knows no field ids; a pathway that declares no summary shows
no person and no needs in the case header. The fields are copied to the case's summary row by each
step (`engine.services.cases.summary`), so that the case page never loads the saved workflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.domain import Sector

SECTOR_PLACEHOLDER = "{sector}"
KNOWN_KEYS = ("person", "alias", "needs")
NEEDS_KEYS = ("needed", "urgency")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


@dataclass(frozen=True)
class SummaryRule:
    """The person's fields shown in a case's header, and the patterns of the need and urgency fields."""

    person: tuple[str, ...] = ()
    needed: str | None = None  # e.g. "need_{sector}"
    urgency: str | None = None  # e.g. "{sector}_urgency"
    alias: str | None = None  # the field of the name the person is known by (searched by case staff)

    def need_field(self, sector: str) -> str | None:
        return self.needed.replace(SECTOR_PLACEHOLDER, sector) if self.needed else None

    def urgency_field(self, sector: str) -> str | None:
        return self.urgency.replace(SECTOR_PLACEHOLDER, sector) if self.urgency else None

    @property
    def fields(self) -> tuple[str, ...]:
        """Every data field the summary reads (the person's, then each sector's need and urgency)."""
        needs = [name for sector in Sector for name in (self.need_field(sector), self.urgency_field(sector)) if name]
        alias = [self.alias] if self.alias else []
        return tuple(dict.fromkeys([*self.person, *alias, *needs]))

    def person_of(self, data: dict) -> dict[str, Any]:
        """The declared person fields that hold a value, in declaration order."""
        return {name: data[name] for name in self.person if data.get(name) not in (None, "")}

    def needs_of(self, data: dict) -> dict[str, str]:
        """{sector: urgency} of the needs assessed (the sector's `needed` field is true)."""
        if not self.needed:
            return {}
        return {
            sector.value: str(data.get(self.urgency_field(sector.value) or "") or "")
            for sector in Sector
            if data.get(self.need_field(sector.value)) is True
        }


def summary_problems(declared: Any) -> list[str]:
    """What is wrong with a `case_summary:` declaration of pathway.yaml (empty when it is right)."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return ["case_summary must be a mapping with person: (a list of field ids) and needs: (needed:, urgency:)"]
    problems = [f"case_summary has an unknown key '{key}'; known keys are {', '.join(KNOWN_KEYS)}"
                for key in declared if key not in KNOWN_KEYS]
    person = declared.get("person", [])
    if not isinstance(person, list) or not all(isinstance(name, str) and _FIELD.match(name) for name in person):
        problems.append("case_summary.person must be a list of field ids")
    alias = declared.get("alias")
    if alias is not None and not (isinstance(alias, str) and _FIELD.match(alias)):
        problems.append("case_summary.alias must be one field id (the name the person is known by)")
    needs = declared.get("needs")
    if needs is None:
        return problems
    if not isinstance(needs, dict):
        return [*problems, "case_summary.needs must be a mapping with needed: and urgency:"]
    problems += [f"case_summary.needs has an unknown key '{key}'; known keys are {', '.join(NEEDS_KEYS)}"
                 for key in needs if key not in NEEDS_KEYS]
    for key in NEEDS_KEYS:
        pattern = needs.get(key)
        if key == "urgency" and pattern is None:
            continue
        if (not isinstance(pattern, str) or pattern.count(SECTOR_PLACEHOLDER) != 1
                or not _FIELD.match(pattern.replace(SECTOR_PLACEHOLDER, "x"))):
            problems.append(f"case_summary.needs.{key} {str(pattern)[:60]!r} must be a field id with {SECTOR_PLACEHOLDER} "
                            "once in it, such as need_{sector}")
    return problems


def summary_rule_of(metadata: dict) -> SummaryRule:
    """The summary rule declared by a pathway's metadata (nothing shown when it declares none)."""
    declared = metadata.get("case_summary") if isinstance(metadata, dict) else None
    if not isinstance(declared, dict) or summary_problems(declared):
        return SummaryRule()
    needs = declared.get("needs") or {}
    return SummaryRule(tuple(declared.get("person") or ()), needs.get("needed"), needs.get("urgency"),
                       declared.get("alias"))


def sectors_named(pattern: str, field_ids: set[str]) -> dict[str, str]:
    """{field id: what stands for {sector}} for every field id that fits the pattern."""
    before, after = pattern.split(SECTOR_PLACEHOLDER)
    matcher = re.compile(re.escape(before) + r"([a-z][a-z0-9_]*)" + re.escape(after) + "$")
    return {name: found.group(1) for name in sorted(field_ids) if (found := matcher.match(name))}
