"""Who can do each user task: candidate groups that no role is, assignees that are no user, timers that alert no one.

Group and lane names are read through the pathway's `groups:` declaration (`engine.pathways.groups`).
"""

from __future__ import annotations

from collections.abc import Collection

from engine.pathways.documents import BPMN_NS, Document, extension
from engine.pathways.escalation_paths import (
    ESCALATION_PROPERTY, drawn_escalation, is_expiry, is_timer, lane_of, property_of,
)
from engine.pathways.folder import METADATA_FILE
from engine.pathways.groups import TASK_ROLES as ROLE_NAMES
from engine.pathways.groups import GroupRules, groups_problems, rules_of
from engine.pathways.problems import Problem


def check_assignment(documents: list[Document], checked: set[str], users: Collection[str] | None = None,
                     metadata: dict | None = None) -> list[Problem]:
    """Warnings for groups no role holds, timers that alert no one and, when the installation's users are
    given, assignees that are none of them; errors in the pathway's `groups:` declaration."""
    problems = [Problem(METADATA_FILE, None, None, None, message, "groups.invalid")
                for message in groups_problems((metadata or {}).get("groups"))]
    rules = rules_of(metadata or {})
    for document in documents:
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            for task in process.iter(f"{{{BPMN_NS}}}userTask"):
                problems += _check_task(document, task, users, rules)
            for event in process.iter(f"{{{BPMN_NS}}}boundaryEvent"):
                problems += _check_silent_timer(document, event, rules)
    return problems


def _check_silent_timer(document: Document, event, rules: GroupRules) -> list[Problem]:
    """A boundary timer leading to work for the same people, never an escalation: it makes a task but alerts no one."""
    if not is_timer(event) or is_expiry(event):
        return []  # an expiry tells the case's caseworkers and the provider (`referral_expired`)
    drawn = drawn_escalation(event, rules)
    if drawn.level is not None or not drawn.opens:
        return []
    if any(property_of(task, ESCALATION_PROPERTY) is not None for task in drawn.opens):
        return []
    names = ", ".join(task.get("name") or task.get("id") for task in drawn.opens)
    return [document.problem(event, "timer.alerts_no_one", (
        f"when this timer fires it opens '{names}' for the same people as the task it sits on, and sends no alert "
        f"(no escalation is recorded, no one is told); to escalate, lead it to a task for other people (a Supervisor "
        f"or Coordination lane, or their candidate group), or give the timer the property {ESCALATION_PROPERTY} with "
        "its level (1 reminder, 2 supervisor, 3 coordinator)")).as_warning()]


def _is_expression(text: str) -> bool:
    return text.startswith(("${", "#{"))


def _check_task(document: Document, task, users: Collection[str] | None, rules: GroupRules) -> list[Problem]:
    problems = []
    groups = [g.strip() for g in (extension(task, "candidateGroups") or "").split(",") if g.strip()]
    for group in groups:
        if not rules.rule_for(group).is_role and not _is_expression(group):
            problems.append(document.problem(task, "task.group_no_role", (
                f"candidate group {group!r} is no role ({', '.join(ROLE_NAMES)}); only users an administrator gives "
                f"the group {group!r} will see this task; to offer it to a role, say which in pathway.yaml "
                f"(groups: {{{group}: {{role: provider_focal_point, organisation: provider}}}})")).as_warning())
    assignee = (extension(task, "assignee") or "").strip()
    if not groups and not assignee and not (extension(task, "candidateUsers") or "").strip():
        lane = lane_of(task)
        if lane is not None and not rules.rule_for(lane).is_role:
            problems.append(document.problem(task, "task.lane_no_role", (
                f"the task sits in lane {lane!r}, which names no role, and has no candidate group; it will be offered to "
                "caseworkers; name the lane after a role (Caseworker, Supervisor, Provider, Coordination) or set its candidate groups")).as_warning())
    if assignee and users is not None and not _is_expression(assignee) and assignee not in users:
        offered = ", ".join(groups) if groups else "caseworkers"
        problems.append(document.problem(task, "task.unknown_assignee", (
            f"assignee {assignee!r} is not a user of this installation; the task will be offered to {offered} instead")).as_warning())
    return problems
