"""A pathway read for people, not for the engine: who does what, each step's form, its deadlines and
escalation chain, in one language. The SOP author's pages and the SOP document are built from it.

    overview = overview_of(source, "en")
    for stage in overview.stages: stage.name, stage.steps, stage.timers
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.pathways.documents import (
    BPMN_NS,
    extension,
    extension_children,
    is_bpmn,
    local,
    read_diagram,
    text_of,
)
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource
from engine.pathways.labels import Labels
from engine.pathways.xml import XmlProblem

STEP_KINDS = ("userTask", "manualTask", "task", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
              "receiveTask", "callActivity")
STAGE_PROPERTY = "aiguillage.stage"
WORKING_DAYS = "working-days"
NO_STAGE = ""


@dataclass(frozen=True)
class FieldLine:
    """One field of a step's form as the person filling it reads it."""

    id: str
    label: str
    type: str
    required: bool
    read_only: bool
    choices: tuple[str, ...]
    limits: tuple[tuple[str, str], ...]  # (constraint, value), e.g. ("maxlength", "500")


@dataclass(frozen=True)
class StepLine:
    """One activity of the pathway: who does it, by when, with which form."""

    id: str
    kind: str
    name: str
    documentation: str | None
    lane: str | None
    groups: tuple[str, ...]
    due: str | None  # the dueDate text as written (ISO 8601 or an expression)
    working_days: bool
    escalation_after: str | None
    consent: str | None  # aiguillage.consent: what the step does with consent
    fields: tuple[FieldLine, ...]


@dataclass(frozen=True)
class TimerLine:
    """A timer: on which step, after how long, and which escalation level it raises."""

    id: str
    name: str
    attached_to: str | None  # the waited-for step's name; None for a timer in the flow
    attached_id: str | None
    text: str
    kind: str  # duration, date or cycle
    interrupting: bool
    working_days: bool
    escalation_level: str | None
    deadline: str | None
    leads_to: str | None = None  # the name of the step the timer starts (an escalation task, say)


@dataclass(frozen=True)
class Stage:
    """The steps and timers that share one `aiguillage.stage` code (in the order they are drawn)."""

    code: str
    steps: tuple[StepLine, ...]
    timers: tuple[TimerLine, ...]


@dataclass(frozen=True)
class PathwayOverview:
    """The whole pathway as an SOP reads it."""

    title: str
    description: str | None
    languages: tuple[str, ...]
    lanes: tuple[tuple[str, tuple[str, ...]], ...]  # (lane label, names of its steps)
    stages: tuple[Stage, ...]

    @property
    def steps(self) -> tuple[StepLine, ...]:
        """Every step of every stage."""
        return tuple(step for stage in self.stages for step in stage.steps)

    @property
    def timers(self) -> tuple[TimerLine, ...]:
        """Every timer of every stage."""
        return tuple(timer for stage in self.stages for timer in stage.timers)


def overview_of(source: PathwaySource, language: str | None) -> PathwayOverview:
    """The pathway's steps, forms, deadlines and lanes in `language` (the diagram's own texts where none)."""
    labels = Labels(source, language)
    # Read as the engine runs them: Camunda Forms' fields written into their steps.
    roots = [read_diagram(source.files, name) for name in _bpmn_files(source)]
    roots = [root for root in roots if not isinstance(root, XmlProblem)]
    lane_of: dict[str, str] = {}
    lanes: list[tuple[str, list[str]]] = []
    for root in roots:
        for lane in root.iter(f"{{{BPMN_NS}}}lane"):
            label = labels.element(lane.get("id") or "", default=lane.get("name")) or lane.get("id") or ""
            members = [ref.text.strip() for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef") if ref.text]
            lanes.append((label, members))
            for member in members:
                lane_of.setdefault(member, label)
    by_id = {e.get("id"): e for root in roots for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    stages: dict[str, tuple[list[StepLine], list[TimerLine]]] = {}
    for root in roots:
        for element in root.iter():
            if not is_bpmn(element):
                continue
            kind = local(element)
            if kind in STEP_KINDS:
                step = _step(element, kind, labels, _lane(element, lane_of, by_id))
                # Steps without a stage (the system's own work, mostly) are listed apart, not guessed.
                code = _property(element, STAGE_PROPERTY) or NO_STAGE
                stages.setdefault(code, ([], []))[0].append(step)
            elif kind in ("boundaryEvent", "intermediateCatchEvent") and element.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None:
                attached = by_id.get(element.get("attachedToRef") or "")
                code = (_property(attached, STAGE_PROPERTY) if attached is not None else None) or NO_STAGE
                stages.setdefault(code, ([], []))[1].append(_timer(element, attached, labels, _next_step(element, by_id, labels)))
    named_lanes = tuple((label, tuple(labels.element(m, default=m) or m for m in members if m in by_id
                                      and local(by_id[m]) in STEP_KINDS)) for label, members in lanes)
    description = source.metadata.get("description") if isinstance(source.metadata.get("description"), str) else None
    return PathwayOverview(
        title=labels.title,
        description=description,
        languages=tuple(source.languages),
        lanes=named_lanes,
        stages=tuple(Stage(code, tuple(steps), tuple(timers))
                     for code, (steps, timers) in sorted(stages.items(), key=lambda item: item[0] == NO_STAGE)),
    )


def _bpmn_files(source: PathwaySource) -> list[str]:
    others = sorted(n for n in source.files if n.lower().endswith(BPMN_SUFFIXES) and n != source.main)
    return ([source.main] if source.main in source.files else []) + others


def _lane(element: etree._Element, lane_of: dict[str, str], by_id: dict) -> str | None:
    # Inside a sub-process the lane is the one its outermost drawn container sits in.
    current = element
    while current is not None:
        if current.get("id") in lane_of:
            return lane_of[current.get("id")]
        current = current.getparent()
    return None


def _property(element: etree._Element, name: str) -> str | None:
    for prop in extension_children(element, "properties/property"):
        if prop.get("name") == name:
            return prop.get("value")
    return None


def _step(element: etree._Element, kind: str, labels: Labels, lane: str | None) -> StepLine:
    element_id = element.get("id") or ""
    groups = tuple(g.strip() for g in (extension(element, "candidateGroups") or "").split(",") if g.strip())
    return StepLine(
        id=element_id,
        kind=kind,
        name=labels.element(element_id, default=element.get("name")) or element_id,
        documentation=labels.documentation(element_id) or text_of(element.find(f"{{{BPMN_NS}}}documentation")) or None,
        lane=lane,
        groups=groups,
        due=extension(element, "dueDate"),
        working_days=_property(element, "aiguillage.calendar") == WORKING_DAYS,
        escalation_after=_property(element, "aiguillage.escalation.after"),
        consent=_property(element, "aiguillage.consent"),
        fields=tuple(_field(f, labels) for f in extension_children(element, "formData/formField")),
    )


def _field(field: etree._Element, labels: Labels) -> FieldLine:
    field_id = field.get("id") or ""
    constraints = [(c.get("name") or "", c.get("config") or "")
                   for c in field.iter() if isinstance(c.tag, str) and local(c) == "constraint"]
    choices = tuple(labels.value(field_id, v.get("id") or "") or v.get("name") or ""
                    for v in field if isinstance(v.tag, str) and local(v) == "value")
    label = labels.field(field_id)
    if label == field_id and field.get("label"):
        label = field.get("label")
    return FieldLine(
        id=field_id,
        label=label or field_id,
        type=field.get("type") or "string",
        required=any(name == "required" for name, _ in constraints),
        read_only=any(name == "readonly" for name, _ in constraints),
        choices=choices,
        limits=tuple((name, value) for name, value in constraints if name not in ("required", "readonly")),
    )


def _next_step(element: etree._Element, by_id: dict, labels: Labels) -> str | None:
    for flow in by_id.values():
        if is_bpmn(flow, "sequenceFlow") and flow.get("sourceRef") == element.get("id"):
            target = by_id.get(flow.get("targetRef") or "")
            if target is not None and local(target) in STEP_KINDS:
                return labels.element(target.get("id"), default=target.get("name")) or target.get("id")
    return None


def _timer(element: etree._Element, attached: etree._Element | None, labels: Labels, leads_to: str | None) -> TimerLine:
    definition = element.find(f"{{{BPMN_NS}}}timerEventDefinition")
    kind, text = "duration", ""
    for candidate, tag in (("duration", "timeDuration"), ("date", "timeDate"), ("cycle", "timeCycle")):
        found = definition.find(f"{{{BPMN_NS}}}{tag}")
        if found is not None:
            kind, text = candidate, text_of(found)
    element_id = element.get("id") or ""
    attached_id = attached.get("id") if attached is not None else None
    return TimerLine(
        id=element_id,
        name=labels.element(element_id, default=element.get("name")) or element_id,
        attached_to=labels.element(attached_id, default=attached.get("name")) if attached is not None else None,
        attached_id=attached_id,
        text=text,
        kind=kind,
        interrupting=element.get("cancelActivity", "true") != "false" if local(element) == "boundaryEvent" else False,
        working_days=_property(element, "aiguillage.calendar") == WORKING_DAYS,
        escalation_level=_property(element, "aiguillage.escalation"),
        deadline=_property(element, "aiguillage.deadline"),
        leads_to=leads_to,
    )
