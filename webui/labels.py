"""How domain values read in the interface, in the current language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from engine.domain import CaseStatus, Language, Priority, Role

ROLE_NAMES = {
    Role.CASEWORKER: _l("Caseworker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.PROVIDER_FOCAL_POINT: _l("Provider focal point"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.SOP_AUTHOR: _l("SOP author"),
    Role.ADMIN: _l("Administrator"),
}

# Each language is named in itself, so that anyone can find their own.
LANGUAGE_NAMES = {Language.FR: "Français", Language.EN: "English"}

PRIORITY_NAMES = {
    Priority.EMERGENCY.value: _l("Emergency"),
    Priority.URGENT.value: _l("Urgent"),
    Priority.NORMAL.value: _l("Normal"),
}

CASE_STATUS_NAMES = {
    CaseStatus.OPEN.value: _l("Open"),
    CaseStatus.CLOSED.value: _l("Closed"),
}


def group_name(group: str) -> str:
    """A candidate group as people read it: the role's name when the group is a role."""
    try:
        return str(ROLE_NAMES[Role(group)])
    except ValueError:
        return group
