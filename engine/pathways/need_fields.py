"""The need a referral step serves, under the names the pathway gives it (`need_fields:` of pathway.yaml).

A referral step (``aiguillage.referral = send|acknowledge|decide|outcome|unmet``) needs a need: a
sector and an urgency. It finds it, in this order:

1. inside a multi-instance activity over the case's needs: the instance's item, ``{sector, urgency}``
   (the Cameroon pathway: one branch per need, in parallel);
2. otherwise in the case's data: a variable ``need`` = ``{sector, urgency}``, or two variables
   ``sector`` and ``urgency`` (for example the fields of an earlier form with those ids).

The consent recorded before the referrals covers the sectors of the case's list of needs (``needs``).
The steps of one referral find each other by their branch key: the instance's index in the first
case, ``need:<sector>`` in the second (one referral at a time per sector).

These four names are the pathway's; `need_fields:` declares them, each optional, today's names the
defaults, so a pathway that declares none (and its saved cases) runs as before:

    need_fields:
      needs: needs        # the list of the case's needs, each a mapping {sector, urgency}
      need: need          # one need: the multi-instance's element variable, or a variable
      sector: sector      # a need's sector: its key in a need, or a variable of its own
      urgency: urgency    # a need's urgency, likewise

Read once per version by `engine.services.pathways.metadata.need_fields`; checked by
`engine.pathways.rules.referrals.check_need_fields`.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import astuple, dataclass, fields
from typing import Any

from engine.domain.enums import Sector

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


def instance_key(instance: dict | None) -> str | None:
    """The key of a multi-instance branch (one referral branch per need)."""
    if not instance or instance.get("index") is None:
        return None
    return str(instance["index"])


@dataclass(frozen=True)
class NeedFields:
    """The names of the case's needs, of one need and of a need's sector and urgency, today's names the defaults."""

    needs: str = "needs"
    need: str = "need"
    sector: str = "sector"
    urgency: str = "urgency"

    def need_of(self, instance: dict | None, data: dict[str, Any] | None) -> dict[str, Any] | None:
        """The need a task's referral step serves, in the engine's words {"sector", "urgency"}, or None when the
        drawing gives it none."""
        value = (instance or {}).get("value")
        if isinstance(value, dict) and value.get(self.sector):
            return self._in_engine_words(value)
        data = data or {}
        need = data.get(self.need)
        if isinstance(need, dict) and isinstance(need.get(self.sector), str) and need.get(self.sector):
            return self._in_engine_words(need)
        sector = data.get(self.sector)
        if isinstance(sector, str) and sector:
            urgency = data.get(self.urgency)
            return {"sector": sector, "urgency": urgency if isinstance(urgency, str) else None}
        return None

    def _in_engine_words(self, need: dict) -> dict[str, Any]:
        return {"sector": need.get(self.sector), "urgency": need.get(self.urgency)}

    def branch_key(self, instance: dict | None, data: dict[str, Any] | None) -> str | None:
        """Which referral a task's steps belong to: the multi-instance branch, else the need found in the case's
        data."""
        key = instance_key(instance)
        if key is not None:
            return key
        need = self.need_of(None, data)
        return f"need:{need['sector']}"[:100] if need is not None else None

    def item_sector(self, instance: dict | None) -> str | None:
        """The sector of a multi-instance branch's need (what its tasks are labelled with), if it has one."""
        value = (instance or {}).get("value")
        sector = value.get(self.sector) if isinstance(value, dict) else None
        return sector if isinstance(sector, str) else None

    def item_urgency(self, instance: dict | None) -> Any:
        """The urgency of a multi-instance branch's need, as the item holds it (None outside such a branch)."""
        value = (instance or {}).get("value")
        return value.get(self.urgency) if isinstance(value, dict) else None

    def assessed_sectors(self, data: dict[str, Any] | None) -> list[str]:
        """The directory's sectors of the case's list of needs, each once, in the list's order."""
        sectors = []
        needs = (data or {}).get(self.needs)
        for need in needs if isinstance(needs, list) else ():
            sector = need.get(self.sector) if isinstance(need, dict) else None
            if sector in Sector.__members__.values() and sector not in sectors:
                sectors.append(sector)
        return sectors

    def no_need_message(self, bpmn_id: str, sector: object = None) -> str:
        """Why a referral step cannot run: what the drawing lacks, and how to draw it."""
        if sector is not None:
            return (f"task {bpmn_id}: the need's sector {str(sector)[:40]!r} is not a sector of the directory "
                    f"({', '.join(member.value for member in Sector)})")
        return (f"task {bpmn_id} is a referral step without a need {{{self.sector}, {self.urgency}}}: draw it inside "
                f"a multi-instance sub-process over the case's {self.needs} (element variable {self.need}), or ask for "
                f"the fields {self.sector} and {self.urgency} in an earlier form")


KNOWN_KEYS = tuple(field.name for field in fields(NeedFields))


def is_variable_name(name: object) -> bool:
    """True for a name a form field, a script and an expression can all use for a variable."""
    return isinstance(name, str) and bool(_VARIABLE.match(name)) and not keyword.iskeyword(name)


def need_fields_problems(declared: Any) -> list[str]:
    """What is wrong with a `need_fields:` declaration of pathway.yaml (empty when it is right)."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return [f"need_fields must be a mapping of {', '.join(KNOWN_KEYS)} to variable names"]
    problems = [f"need_fields has an unknown key '{key}'; known keys are {', '.join(KNOWN_KEYS)}"
                for key in declared if key not in KNOWN_KEYS]
    problems += [f"need_fields.{key} names {str(name)[:100]!r}, which is not a variable name; use letters, digits "
                 "and underscores, not starting with a digit, and no word of the language such as and, not or if, e.g. "
                 "service_sector"
                 for key, name in declared.items() if key in KNOWN_KEYS and not is_variable_name(name)]
    if problems:
        return problems
    names = astuple(NeedFields(**declared))
    return [f"need_fields gives {name!r} to more than one of {', '.join(KNOWN_KEYS)}; give each its own name"
            for name in sorted({name for name in names if names.count(name) > 1})]


def need_fields_of(metadata: dict) -> NeedFields:
    """The need fields a pathway's metadata declares (today's names for any it leaves out)."""
    declared = metadata.get("need_fields") if isinstance(metadata, dict) else None
    if not isinstance(declared, dict) or need_fields_problems(declared):
        return NeedFields()
    return NeedFields(**declared)
