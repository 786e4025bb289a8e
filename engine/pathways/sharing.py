"""A pathway's `sharing:` declaration (pathway.yaml): which fields a provider receives, per consent scope
and sector, and how long after a referral closes the provider keeps reading them.

    sharing:
      provider_access_after_closure: P30D
      scopes:
        minimum_necessary:
          every_sector: [person_alias, sex, age, language, phone, region]
          health: [vuln_medical]

The fields of a scope for a sector are its `every_sector` list then the sector's own. A pathway that
declares no sharing shares nothing personal. Applied by `engine.services.referrals.sharing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.iso8601 import parse_duration

EVERY_SECTOR = "every_sector"
DEFAULT_SCOPE = "minimum_necessary"  # a consent that names no scope agreed to the least
DEFAULT_ACCESS_AFTER_CLOSURE = timedelta(days=30)


@dataclass(frozen=True)
class SharingRule:
    """A pathway version's sharing declaration: fields by consent scope and sector, and how long access lasts."""

    scopes: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    access_after_closure: timedelta = DEFAULT_ACCESS_AFTER_CLOSURE

    def fields_for(self, scope: str | None, sector: str) -> tuple[str, ...]:
        """The fields a provider of `sector` receives under consent `scope` (in declaration order, once each)."""
        by_sector = self.scopes.get(scope or DEFAULT_SCOPE) or {}
        chosen = [*by_sector.get(EVERY_SECTOR, ()), *by_sector.get(sector, ())]
        return tuple(dict.fromkeys(chosen))


def sharing_problems(declared: Any) -> list[str]:
    """What is wrong with a `sharing:` declaration of pathway.yaml (empty when it is right)."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return ["sharing must be a mapping with scopes: (and provider_access_after_closure:)"]
    problems = [f"sharing has an unknown key '{key}'; known keys are provider_access_after_closure, scopes"
                for key in declared if key not in ("provider_access_after_closure", "scopes")]
    period = declared.get("provider_access_after_closure")
    if period is not None:
        try:
            duration_of(period)
        except (ExpressionError, TypeError):
            problems.append(f"provider_access_after_closure {str(period)[:40]!r} is not an ISO 8601 duration such as P30D")
    scopes = declared.get("scopes", {})
    if not isinstance(scopes, dict):
        return [*problems, "sharing.scopes must map each consent scope to sectors and their lists of fields"]
    for scope, sectors in scopes.items():
        if not isinstance(sectors, dict):
            problems.append(f"sharing.scopes.{scope} must map sectors (or every_sector) to lists of field ids")
            continue
        for sector, names in sectors.items():
            if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
                problems.append(f"sharing.scopes.{scope}.{sector} must be a list of field ids")
    return problems


def rule_of(metadata: dict) -> SharingRule:
    """The sharing rule declared by a pathway's metadata (nothing shared when it declares none)."""
    declared = metadata.get("sharing")
    if not isinstance(declared, dict) or sharing_problems(declared):
        return SharingRule()
    period = declared.get("provider_access_after_closure")
    scopes = {
        str(scope): {str(sector): tuple(names) for sector, names in sectors.items()}
        for scope, sectors in (declared.get("scopes") or {}).items()
    }
    return SharingRule(scopes, duration_of(period) if period is not None else DEFAULT_ACCESS_AFTER_CLOSURE)


# Days in each part of a duration: a month of access is taken as 30 days, a year as 365.
_DAYS = {"years": 365, "months": 30, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440, "seconds": 1 / 86400}


def duration_of(text) -> timedelta:
    """An ISO 8601 duration of pathway.yaml (P30D, P5Y) as a timedelta; ExpressionError or TypeError otherwise."""
    if not isinstance(text, str):
        raise TypeError(f"{text!r} is not a duration")
    return timedelta(days=sum(value * _DAYS[part] for part, value in parse_duration(str(text)).items()))
