"""The need a referral step serves, wherever the author drew it.

A referral step (``aiguillage.referral = send|acknowledge|decide|outcome|unmet``) needs a need: a
sector and an urgency. It finds it, in this order:

1. inside a multi-instance activity over the case's needs: the instance's item, ``{sector, urgency}``
   (the Cameroon pathway: one branch per need, in parallel);
2. otherwise in the case's data: a variable ``need`` = ``{sector, urgency}``, or two variables
   ``sector`` and ``urgency`` (for example the fields of an earlier form with those ids).

The steps of one referral find each other by their branch key: the instance's index in the first
case, ``need:<sector>`` in the second (one referral at a time per sector).
"""

from __future__ import annotations

from typing import Any

from engine.domain.enums import Sector

NEED_VARIABLE, SECTOR_VARIABLE, URGENCY_VARIABLE = "need", "sector", "urgency"


def instance_key(instance: dict | None) -> str | None:
    """The key of a multi-instance branch (one referral branch per need)."""
    if not instance or instance.get("index") is None:
        return None
    return str(instance["index"])


def need_of(instance: dict | None, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The need {sector, urgency} a task's referral step serves, or None when the drawing gives it none."""
    value = (instance or {}).get("value")
    if isinstance(value, dict) and value.get(SECTOR_VARIABLE):
        return value
    data = data or {}
    need = data.get(NEED_VARIABLE)
    if isinstance(need, dict) and isinstance(need.get(SECTOR_VARIABLE), str) and need.get(SECTOR_VARIABLE):
        return need
    sector = data.get(SECTOR_VARIABLE)
    if isinstance(sector, str) and sector:
        urgency = data.get(URGENCY_VARIABLE)
        return {SECTOR_VARIABLE: sector, URGENCY_VARIABLE: urgency if isinstance(urgency, str) else None}
    return None


def branch_key(instance: dict | None, data: dict[str, Any] | None) -> str | None:
    """Which referral a task's steps belong to: the multi-instance branch, else the need found in the case's data."""
    key = instance_key(instance)
    if key is not None:
        return key
    need = need_of(None, data)
    return f"need:{need[SECTOR_VARIABLE]}"[:100] if need is not None else None


def no_need_message(bpmn_id: str, sector: object = None) -> str:
    """Why a referral step cannot run: what the drawing lacks, and how to draw it."""
    if sector is not None:
        return (f"task {bpmn_id}: the need's sector {str(sector)[:40]!r} is not a sector of the directory "
                f"({', '.join(member.value for member in Sector)})")
    return (f"task {bpmn_id} is a referral step without a need {{sector, urgency}}: draw it inside a multi-instance "
            "sub-process over the case's needs (element variable need), or ask for the fields sector and urgency "
            "in an earlier form")
