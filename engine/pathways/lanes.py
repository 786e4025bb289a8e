"""Lanes named after a role: a user task drawn in a lane with no candidate group is offered to that role.

Authors draw "Provider", "Supervisor" or "Coordination" lanes in Camunda Modeler and set no
candidate groups; these names (French or English, any case and accents) stand for the roles. A
"provider" task that belongs to a referral then reaches the referral's provider organisation.
"""

from __future__ import annotations

import unicodedata

from engine.domain.enums import Role

LANE_ROLES = {
    Role.CASEWORKER.value: ("caseworker", "caseworkers", "case worker", "social worker", "travailleur social",
                            "travailleurs sociaux", "gestionnaire de cas", "agent de cas", "assistant social"),
    Role.SUPERVISOR.value: ("supervisor", "supervisors", "superviseur", "superviseurs", "supervision"),
    Role.PROVIDER_FOCAL_POINT.value: ("provider", "providers", "service provider", "prestataire", "prestataires",
                                      "prestataire de services", "provider focal point", "point focal"),
    Role.COORDINATOR.value: ("coordinator", "coordinators", "coordination", "coordinateur", "coordinateurs",
                             "secretariat", "secretariat mnr", "mnr"),
}
_BY_NAME = {name: role for role, names in LANE_ROLES.items() for name in names}


def plain_name(name: str) -> str:
    """A name as authors mean it: no accents, no case, dashes and underscores read as spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip().lower()
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def role_of_lane(lane_name: str | None) -> str | None:
    """The role a lane's name stands for (e.g. 'Prestataire' -> provider_focal_point), or None."""
    if not lane_name:
        return None
    plain = plain_name(lane_name)
    return _BY_NAME.get(plain) or (plain.replace(" ", "_") if plain.replace(" ", "_") in LANE_ROLES else None)
