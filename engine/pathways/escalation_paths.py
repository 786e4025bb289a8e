"""Timers drawn as escalations: a boundary timer whose path leads to a task for other people.

Authors draw an escalation the Camunda way: a timer on the provider's task, its flow going to a
"Follow up" task in the Coordination lane. Such a timer is an escalation even without
``aiguillage.escalation``: its level is its place among the escalation timers of the same activity,
in the order they are drawn (the first is level 1), and the people it alerts are those of the tasks
it leads to. A level written with ``aiguillage.escalation`` always wins. A timer that leads only to
work for the same people (or to no task) is a reminder drawn for nobody: validation warns. A timer
that ends a referral (``aiguillage.referral = expire``) is not an escalation, whoever its path
leads to: the referral is over, and the people it leads to are told that it expired.

The parser (`engine.runtime.parser`) and validation (`engine.pathways.rules.assignment`) both read
the diagram through `drawn_escalation`, so what validation says is what runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.pathways.documents import BPMN_NS, extension, extension_children, local
from engine.pathways.groups import GroupRules

ESCALATION_PROPERTY = "aiguillage.escalation"
REFERRAL_PROPERTY = "aiguillage.referral"
EXPIRE_MOVE = "expire"
WITHDRAW_MOVE = "withdraw"
TOP_LEVEL = 3
# The parser's extension key on an inferred escalation timer: the ids of the tasks it leads to.
ESCALATION_OPENS = "escalationOpens"
# Nodes a path goes through on its way to a task (anything else ends it).
_PASSING = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
            "intermediateThrowEvent", "scriptTask", "serviceTask", "businessRuleTask", "sendTask"}
_WORK = {"userTask", "manualTask", "task"}


@dataclass(frozen=True)
class DrawnEscalation:
    """What a boundary timer is as drawn: its level (declared or from its order), the tasks it opens, and how it was known."""

    level: int | None  # None: not an escalation
    declared: bool
    opens: tuple[etree._Element, ...]  # the tasks its path leads to (user, manual or plain tasks)


def property_of(element: etree._Element, name: str) -> str | None:
    """A camunda:property of the element, by name."""
    for prop in extension_children(element, "properties/property"):
        if prop.get("name") == name:
            return prop.get("value")
    return None


def is_timer(event: etree._Element) -> bool:
    """True for a boundary event with a timer definition."""
    return local(event) == "boundaryEvent" and event.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None


def drawn_escalation(event: etree._Element, rules: GroupRules | None = None) -> DrawnEscalation:
    """The escalation a boundary timer stands for, as drawn (see the module's docstring)."""
    declared = _declared_level(event)
    opens = tuple(tasks_opened(event))
    if declared is not None:
        return DrawnEscalation(declared, True, opens)
    if not _reaches_other_people(event, opens, rules or GroupRules()):
        return DrawnEscalation(None, False, opens)
    order = 1
    for sibling in _timers_on_same_activity(event):
        if sibling is event:
            break
        level = _declared_level(sibling)
        if level is not None or _reaches_other_people(sibling, tuple(tasks_opened(sibling)), rules or GroupRules()):
            order += 1
    return DrawnEscalation(min(order, TOP_LEVEL), False, opens)


def escalation_tasks(process: etree._Element, rules: GroupRules | None = None) -> set[str]:
    """The ids of the tasks the escalation timers of a process (its sub-processes included) open, whether
    the timer carries its level or is known by where it leads: escalation tasks, even without
    ``aiguillage.escalation`` of their own. `rules`: the pathway's groups, as the parser reads them too."""
    return set(opened_escalation_levels(process, rules))


def opened_escalation_levels(container: etree._Element, rules: GroupRules | None = None) -> dict[str, int]:
    """The tasks the escalation timers drawn in `container` (its sub-processes included) open: id -> the level
    of the first timer opening it."""
    found: dict[str, int] = {}
    for event in container.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        if not is_timer(event):
            continue
        drawn = drawn_escalation(event, rules)
        if drawn.level is not None:
            for task in drawn.opens:
                found.setdefault(task.get("id"), drawn.level)
    return found


def tasks_opened(event: etree._Element) -> list[etree._Element]:
    """The tasks an element's outgoing path reaches first, through gateways, throw events and automatic tasks."""
    container = event.getparent()
    nodes = {node.get("id"): node for node in container if isinstance(node.tag, str)}
    flows: dict[str, list[str]] = {}
    for flow in container.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        flows.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    found, seen, todo = [], {event.get("id")}, list(flows.get(event.get("id"), []))
    while todo:
        node_id = todo.pop(0)
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        node = nodes[node_id]
        if local(node) in _WORK:
            found.append(node)
        elif local(node) in _PASSING:
            todo.extend(flows.get(node_id, []))
    return found


def people_of(task: etree._Element, rules: GroupRules) -> frozenset[str]:
    """Who a drawn task is for, as comparable names: its groups' roles, its assignee, else its lane's role."""
    groups = [g.strip() for g in (extension(task, "candidateGroups") or "").split(",") if g.strip()]
    if groups:
        return frozenset(rules.rule_for(group).role for group in groups)
    assignee = (extension(task, "assignee") or "").strip()
    users = (extension(task, "candidateUsers") or "").strip()
    if assignee or users:
        return frozenset({f"user:{assignee or users}"})
    lane = lane_of(task)
    if lane is not None:
        return frozenset({rules.rule_for(lane).role})
    return frozenset()  # the case's caseworkers, as every task offered to nobody in particular


def lane_of(task: etree._Element) -> str | None:
    """The name of the lane a task is drawn in, if any."""
    task_id = task.get("id")
    for lane in task.getroottree().getroot().iter(f"{{{BPMN_NS}}}lane"):
        if any((ref.text or "").strip() == task_id for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef")):
            return lane.get("name") or lane.get("id")
    return None


def _declared_level(event: etree._Element) -> int | None:
    value = (property_of(event, ESCALATION_PROPERTY) or "").strip()
    return int(value) if value.isdigit() else None


def is_expiry(event: etree._Element) -> bool:
    """True for an element marked ``aiguillage.referral = expire``."""
    return (property_of(event, REFERRAL_PROPERTY) or "").strip() == EXPIRE_MOVE


def _reaches_other_people(event: etree._Element, opens: tuple, rules: GroupRules) -> bool:
    if is_expiry(event):
        return False
    attached = _attached_activity(event)
    if attached is None or not opens:
        return False
    own = people_of(attached, rules) if local(attached) in _WORK else None
    return any(people_of(task, rules) != own for task in opens)


def _attached_activity(event: etree._Element) -> etree._Element | None:
    ref = event.get("attachedToRef")
    return next((node for node in event.getparent() if isinstance(node.tag, str) and node.get("id") == ref), None)


def _timers_on_same_activity(event: etree._Element) -> list[etree._Element]:
    ref = event.get("attachedToRef")
    return [node for node in event.getparent() if isinstance(node.tag, str) and is_timer(node) and node.get("attachedToRef") == ref]
