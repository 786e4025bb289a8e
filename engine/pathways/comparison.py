"""What changed between two versions of a pathway, element by element (by BPMN id), as an author reads it.

    changes = compare(old_source, new_source)
    changes.added, changes.removed: [ElementChange]; changes.changed: [ElementChange with .properties]

Only what the pathway means is compared: names, documentation, forms field by field, conditions,
timers, who does the work, deadlines, properties, where flows go. Moving a shape in the diagram
is not a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.pathways.documents import BPMN_NS, extension, extension_children, is_bpmn, local, read_diagram, text_of
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource
from engine.pathways.xml import XmlProblem

# Elements an author draws and names; their DI shapes and the containers' own bookkeeping are left out.
SKIPPED = {"definitions", "extensionElements", "documentation", "incoming", "outgoing", "conditionExpression",
           "timerEventDefinition", "timeDuration", "timeDate", "timeCycle", "flowNodeRef", "laneSet", "script",
           "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "loopCardinality",
           "completionCondition", "text", "signalEventDefinition", "messageEventDefinition",
           "terminateEventDefinition", "errorEventDefinition", "escalationEventDefinition",
           "conditionalEventDefinition", "condition", "loopCondition"}
USER_ATTRIBUTES = {"candidateGroups": "groups", "candidateUsers": "users", "assignee": "assignee",
                   "dueDate": "due date", "followUpDate": "follow-up date", "priority": "priority",
                   "topic": "operation", "decisionRef": "decision", "calledElement": "called process"}


@dataclass(frozen=True)
class PropertyChange:
    """One property of an element, before and after ('' when absent)."""

    name: str  # name, documentation, form field <id>, condition, timer, groups, due date, property <name>...
    before: str
    after: str


@dataclass(frozen=True)
class ElementChange:
    """An element added, removed or changed between the versions."""

    id: str
    kind: str  # userTask, sequenceFlow, boundaryEvent...
    name: str
    properties: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class VersionChanges:
    """Every difference between two versions of a pathway."""

    added: tuple[ElementChange, ...]
    removed: tuple[ElementChange, ...]
    changed: tuple[ElementChange, ...]

    @property
    def marks_before(self) -> dict[str, str]:
        """Diagram markers for the older version."""
        return {**{e.id: "removed" for e in self.removed}, **{e.id: "changed" for e in self.changed}}

    @property
    def marks_after(self) -> dict[str, str]:
        """Diagram markers for the newer version."""
        return {**{e.id: "added" for e in self.added}, **{e.id: "changed" for e in self.changed}}


def compare(before: PathwaySource, after: PathwaySource) -> VersionChanges:
    """The elements added, removed and changed from `before` to `after`, in the order they are drawn."""
    old, new = _elements(before), _elements(after)
    added = tuple(_summary(new[i]) for i in new if i not in old)
    removed = tuple(_summary(old[i]) for i in old if i not in new)
    changed = []
    for element_id, element in new.items():
        if element_id in old:
            differences = _differences(_properties(old[element_id]), _properties(element))
            if differences:
                changed.append(_summary(element, differences))
    return VersionChanges(added, removed, tuple(changed))


def _elements(source: PathwaySource) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for name in sorted(source.files):
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        root = read_diagram(source.files, name)  # as the engine runs it: Camunda Forms' fields in their steps
        if isinstance(root, XmlProblem):
            continue
        for element in root.iter():
            if is_bpmn(element) and element.get("id") and local(element) not in SKIPPED:
                found.setdefault(element.get("id"), element)
    return found


def _summary(element: etree._Element, properties: tuple[PropertyChange, ...] = ()) -> ElementChange:
    return ElementChange(element.get("id"), local(element), " ".join((element.get("name") or "").split()), properties)


def _properties(element: etree._Element) -> dict[str, str]:
    """What the element means, as named texts."""
    bpmn = f"{{{BPMN_NS}}}"
    found = {"type": local(element), "name": " ".join((element.get("name") or "").split()),
             "documentation": text_of(element.find(bpmn + "documentation"))}
    for attribute, label in USER_ATTRIBUTES.items():
        value = extension(element, attribute) or (element.get(attribute) if attribute in ("calledElement",) else None)
        if value:
            found[label] = value
    for attribute in ("sourceRef", "targetRef", "attachedToRef", "default", "cancelActivity"):
        if element.get(attribute) is not None:
            found[{"sourceRef": "from", "targetRef": "to", "attachedToRef": "attached to", "default": "default flow",
                   "cancelActivity": "interrupting"}[attribute]] = element.get(attribute)
    condition = element.find(bpmn + "conditionExpression")
    if condition is not None:
        found["condition"] = text_of(condition)
    timer = element.find(bpmn + "timerEventDefinition")
    if timer is not None:
        found["timer"] = " ".join(f"{local(part)} {text_of(part)}" for part in timer if isinstance(part.tag, str))
    script = element.find(bpmn + "script")
    if script is not None:
        found["script"] = text_of(script)
    for loop_kind in ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics"):
        loop = element.find(bpmn + loop_kind)
        if loop is not None:
            parts = [f"{k}={v}" for k, v in sorted(loop.attrib.items())]
            parts += [f"{local(child)} {text_of(child)}" for child in loop if isinstance(child.tag, str)]
            found["repetition"] = f"{loop_kind.replace('LoopCharacteristics', '')}: " + ", ".join(parts)
    for prop in extension_children(element, "properties/property"):
        found[f"property {prop.get('name')}"] = prop.get("value") or ""
    for field in extension_children(element, "formData/formField"):
        found[f"form field {field.get('id')}"] = _field_text(field)
    return found


def _field_text(field: etree._Element) -> str:
    parts = [f"{k}={v}" for k, v in sorted(field.attrib.items()) if k != "id"]
    for child in field.iter():
        if child is field or not isinstance(child.tag, str):
            continue
        if local(child) == "constraint":
            parts.append(f"{child.get('name')}{'=' + child.get('config') if child.get('config') else ''}")
        elif local(child) == "value":
            parts.append(f"option {child.get('id')}={child.get('name') or ''}")
        elif local(child) == "property":
            parts.append(f"{child.get('id') or child.get('name')}={child.get('value') or ''}")
    return "; ".join(parts)


def _differences(before: dict[str, str], after: dict[str, str]) -> tuple[PropertyChange, ...]:
    names = list(before) + [name for name in after if name not in before]
    return tuple(PropertyChange(name, before.get(name, ""), after.get(name, ""))
                 for name in names if before.get(name, "") != after.get(name, ""))
