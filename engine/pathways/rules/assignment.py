"""Who can do each user task: candidate groups that no role is, assignees that are no user, timers that alert no one."""

from __future__ import annotations

from collections.abc import Collection

from engine.domain.enums import Role
from engine.pathways.documents import BPMN_NS, Document, extension, extension_children
from engine.pathways.lanes import role_of_lane
from engine.pathways.problems import Problem

ROLE_NAMES = tuple(role.value for role in Role if role not in (Role.SOP_AUTHOR, Role.ADMIN))


def check_assignment(documents: list[Document], checked: set[str], users: Collection[str] | None = None) -> list[Problem]:
    """Warnings for groups no role holds and, when the installation's users are given, assignees that are none of them."""
    problems = []
    for document in documents:
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            for task in process.iter(f"{{{BPMN_NS}}}userTask"):
                problems += _check_task(document, task, users)
            for event in process.iter(f"{{{BPMN_NS}}}boundaryEvent"):
                problems += _check_silent_timer(document, event)
    return problems


ESCALATION_PROPERTY = "aiguillage.escalation"


def _check_silent_timer(document: Document, event) -> list[Problem]:
    """A boundary timer leading straight to a user task, with no escalation level: it makes a task but alerts no one."""
    if event.find(f"{{{BPMN_NS}}}timerEventDefinition") is None or _property(event, ESCALATION_PROPERTY) is not None:
        return []
    container = event.getparent()
    targets = {flow.get("targetRef") for flow in container.findall(f"{{{BPMN_NS}}}sequenceFlow") if flow.get("sourceRef") == event.get("id")}
    tasks = [node for node in container.findall(f"{{{BPMN_NS}}}userTask") if node.get("id") in targets]
    if not tasks or any(_property(task, ESCALATION_PROPERTY) is not None for task in tasks):
        return []
    names = ", ".join(task.get("name") or task.get("id") for task in tasks)
    return [document.problem(event, "timer.alerts_no_one", (
        f"when this timer fires it opens '{names}' but sends no alert (no escalation is recorded, no one is told); "
        f"to escalate, give the timer the property {ESCALATION_PROPERTY} with its level (1 reminder, 2 supervisor, 3 coordinator)")).as_warning()]


def _property(element, name: str) -> str | None:
    for prop in extension_children(element, "properties/property"):
        if prop.get("name") == name:
            return prop.get("value")
    return None


def _lane_name(document: Document, task) -> str | None:
    task_id = task.get("id")
    for lane in document.root.iter(f"{{{BPMN_NS}}}lane"):
        if any((ref.text or "").strip() == task_id for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef")):
            return lane.get("name") or lane.get("id")
    return None


def _is_expression(text: str) -> bool:
    return text.startswith(("${", "#{"))


def _check_task(document: Document, task, users: Collection[str] | None) -> list[Problem]:
    problems = []
    groups = [g.strip() for g in (extension(task, "candidateGroups") or "").split(",") if g.strip()]
    for group in groups:
        if group not in ROLE_NAMES and not _is_expression(group):
            problems.append(document.problem(task, "task.group_no_role", (
                f"candidate group {group!r} is no role ({', '.join(ROLE_NAMES)}); only users an administrator gives "
                f"the group {group!r} will see this task")).as_warning())
    assignee = (extension(task, "assignee") or "").strip()
    if not groups and not assignee and not (extension(task, "candidateUsers") or "").strip():
        lane = _lane_name(document, task)
        if lane is not None and role_of_lane(lane) is None:
            problems.append(document.problem(task, "task.lane_no_role", (
                f"the task sits in lane {lane!r}, which names no role, and has no candidate group; it will be offered to "
                "caseworkers; name the lane after a role (Caseworker, Supervisor, Provider, Coordination) or set its candidate groups")).as_warning())
    if assignee and users is not None and not _is_expression(assignee) and assignee not in users:
        offered = ", ".join(groups) if groups else "caseworkers"
        problems.append(document.problem(task, "task.unknown_assignee", (
            f"assignee {assignee!r} is not a user of this installation; the task will be offered to {offered} instead")).as_warning())
    return problems
