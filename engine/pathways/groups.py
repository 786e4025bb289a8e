"""Who does a drawn task, across organisations: a pathway's `groups:` declaration (pathway.yaml) and its defaults.

A user task names its people with ``camunda:candidateGroups`` or by the lane it is drawn in. Each
name stands for a role and for the organisation whose holders of that role get the task:

    groups:
      provider: {role: provider_focal_point, organisation: provider}
      coordination: {role: coordinator, organisation: secretariat}
      hotline: {role: caseworker, organisation: ligne-verte}    # a named organisation (its slug)

- ``case``: the organisation that owns the case (caseworkers, supervisors);
- ``provider``: the provider of the referral the task belongs to (its branch's current referral);
  a task outside any referral stays with the case's organisation;
- ``secretariat``: the mechanism's secretariat (coordinators see such work whatever the organisation);
- anything else: the slug of one organisation of the directory.

Without a declaration, a name that reads as a role in French or English (`engine.pathways.lanes`:
"Provider", "Prestataire", "Coordination", "Superviseur"...) or a role's own name stands for that
role, with the organisation the role works for: focal points at the referral's provider,
coordinators at the secretariat, everyone else at the case's organisation. Any other name is an
extra group, held by the users an administrator gives it, in the case's organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.domain.enums import Role
from engine.pathways.lanes import plain_name, role_of_lane

CASE, PROVIDER, SECRETARIAT = "case", "provider", "secretariat"
KINDS = (CASE, PROVIDER, SECRETARIAT)
# The roles a pathway's tasks can be offered to (administrators and authors do no case work).
TASK_ROLES = tuple(role.value for role in Role if role not in (Role.SOP_AUTHOR, Role.ADMIN))
DEFAULT_ORGANISATION = {Role.PROVIDER_FOCAL_POINT.value: PROVIDER, Role.COORDINATOR.value: SECRETARIAT}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True)
class GroupRule:
    """What a candidate group or lane name stands for: the role whose holders do the task, and in which organisation."""

    role: str
    organisation: str = CASE  # case | provider | secretariat | an organisation's slug
    declared: bool = False  # written in pathway.yaml, as opposed to read from a role-like name

    @property
    def is_role(self) -> bool:
        """True when some role holds the group (else only users given it as an extra group do)."""
        return self.role in TASK_ROLES


@dataclass(frozen=True)
class GroupRules:
    """A pathway version's `groups:` declaration, keyed by the name as an author writes it (plain, lower case)."""

    declared: dict[str, GroupRule] = field(default_factory=dict)

    def rule_for(self, name: str) -> GroupRule:
        """The rule of a candidate group or lane name: declared, else read from a role-like name, else an extra group."""
        found = self.declared.get(plain_name(name))
        if found is not None:
            return found
        role = name if name in TASK_ROLES else role_of_lane(name)
        if role is not None:
            return GroupRule(role, DEFAULT_ORGANISATION.get(role, CASE))
        return GroupRule(name, CASE)

    def knows(self, name: str) -> bool:
        """True when the name is declared or reads as a role."""
        return plain_name(name) in self.declared or name in TASK_ROLES or role_of_lane(name) is not None


def rules_of(metadata: Any) -> GroupRules:
    """The group rules of a loaded pathway.yaml (defaults only when it declares none or declares them wrong)."""
    declared = metadata.get("groups") if isinstance(metadata, dict) else None
    if groups_problems(declared) or not declared:
        return GroupRules()
    rules = {}
    for name, value in declared.items():
        value = value if isinstance(value, dict) else {"role": value}
        role = str(value["role"])
        rules[plain_name(str(name))] = GroupRule(role, str(value.get("organisation") or DEFAULT_ORGANISATION.get(role, CASE)), True)
    return GroupRules(rules)


def groups_problems(declared: Any) -> list[str]:
    """What is wrong with a `groups:` declaration of pathway.yaml (empty when it is right)."""
    if declared is None:
        return []
    if not isinstance(declared, dict):
        return ["groups must be a mapping from a candidate group or lane name to {role:, organisation:}"]
    problems = []
    for name, value in declared.items():
        value = value if isinstance(value, dict) else {"role": value}
        unknown = [key for key in value if key not in ("role", "organisation")]
        if unknown:
            problems.append(f"groups.{name} has an unknown key '{unknown[0]}'; known keys are role, organisation")
        role = value.get("role")
        if not isinstance(role, str) or not role.strip():
            problems.append(f"groups.{name} needs a role: one of {', '.join(TASK_ROLES)}, or an extra group's name")
        organisation = value.get("organisation")
        if organisation is not None and not (isinstance(organisation, str) and (organisation in KINDS or _SLUG.match(organisation))):
            problems.append(f"groups.{name}.organisation must be case, provider, secretariat or an organisation's slug "
                            f"(lowercase letters, digits and dashes), not {str(organisation)[:60]!r}")
    return problems
