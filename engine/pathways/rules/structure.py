"""Structural rules: processes, start and end events, ids, sequence flows and gateways."""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from engine.pathways.documents import (
    ACTIVITIES, BPMN_NS, BPMNDI_NS, Document, containers, flow_nodes, is_bpmn, local, name_of, namespace, sequence_flows,
    text_of,
)
from engine.pathways.problems import Problem

BRANCHING_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}
ID_NAMESPACES = {BPMN_NS, BPMNDI_NS, "http://www.omg.org/spec/DD/20100524/DI"}


def executable_processes(document: Document) -> list[etree._Element]:
    """The processes marked isExecutable="true" (the only ones the engine runs)."""
    return [p for p in document.processes() if (p.get("isExecutable") or "").strip().lower() == "true"]


def check_main_process(document: Document, chosen: str | None) -> list[Problem]:
    """The main file must hold exactly one executable process, or name one with `process:`."""
    executables = executable_processes(document)
    if chosen:
        if any(p.get("id") == chosen for p in executables):
            return []
        if any(p.get("id") == chosen for p in document.processes()):
            process = next(p for p in document.processes() if p.get("id") == chosen)
            return [document.problem(process, "process.none", f"process {chosen} named in pathway.yaml is not executable; set isExecutable=\"true\" on it (in Camunda Modeler: the 'Executable' box)")]
        ids = ", ".join(p.get("id") or "?" for p in executables) or "none"
        return [document.problem(None, "process.none", f"pathway.yaml names process {chosen}, which is not in this file (executable processes: {ids})")]
    if len(executables) == 1:
        return []
    if executables:
        ids = ", ".join(p.get("id") or "?" for p in executables)
        main = executables[0].get("id") or "?"
        message = (f"the file has {len(executables)} executable processes ({ids}); Camunda 7 deploys each, here one pathway runs "
                   f"the first, {main}, and the others only through call activities; to run another, name it with process: in pathway.yaml")
        return [document.problem(executables[1], "process.several", message).as_warning()]
    processes = document.processes()
    if processes:
        return [document.problem(processes[0], "process.none", "no process is executable; set isExecutable=\"true\" on the process to run (in Camunda Modeler: the 'Executable' box of the process or pool)")]
    if document.root.find(f"{{{BPMN_NS}}}collaboration") is not None:
        return [document.problem(document.root.find(f"{{{BPMN_NS}}}collaboration"), "process.none", "the file holds only a collaboration (pools without content); draw the process inside a pool and mark it executable")]
    return [document.problem(document.root, "process.none", "the file holds no process; draw one with a start event, tasks and an end event")]


def check_duplicate_ids(document: Document) -> list[Problem]:
    """Every id must be unique within its file."""
    seen: dict[str, etree._Element] = {}
    problems = []
    for element in document.root.iter():
        # Extension elements (form fields, enum values, properties) reuse ids on purpose.
        if namespace(element) not in ID_NAMESPACES:
            continue
        element_id = element.get("id")
        if element_id is None:
            continue
        if element_id in seen:
            first = seen[element_id]
            problems.append(document.problem(element, "id.duplicate", f"id {element_id} is already used on line {first.sourceline} (<{local(first)}>); give each element its own id"))
        else:
            seen[element_id] = element
    return problems


def check_containers(document: Document, checked: set[str]) -> list[Problem]:
    """Start/end events, flows and gateways of each checked process and of their sub-processes."""
    problems = []
    for container in containers(document.root):
        process = _enclosing_process(container)
        if process is None or process.get("id") not in checked:
            continue
        problems += _check_start_and_end(document, container)
        problems += _check_flows(document, container)
    return problems


def _enclosing_process(element: etree._Element) -> etree._Element | None:
    while element is not None and not is_bpmn(element, "process"):
        element = element.getparent()
    return element


def _check_start_and_end(document: Document, container: etree._Element) -> list[Problem]:
    if local(container) == "adHocSubProcess":
        return []
    nodes = flow_nodes(container)
    kinds = {local(node) for node in nodes}
    what = "process" if local(container) == "process" else "sub-process"
    problems = []
    if "startEvent" not in kinds:
        problems.append(document.problem(container, "process.no_start", f"the {what} has no start event; add one where the work begins"))
    # A missing end event is an implicit end, added (with a warning) by engine.pathways.dialect.
    return problems


def _check_flows(document: Document, container: etree._Element) -> list[Problem]:
    nodes = {node.get("id"): node for node in flow_nodes(container) if node.get("id")}
    problems = []
    outgoing: dict[str, list[etree._Element]] = defaultdict(list)
    seen_flows: dict[tuple, etree._Element] = {}
    for flow in sequence_flows(container):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        dangling = [(end, ref) for end, ref in (("source", source), ("target", target)) if ref not in nodes]
        for end, ref in dangling:
            if ref is None or not ref.strip():
                message = f"the sequence flow has no {end}Ref; connect both ends of the arrow to a task, event or gateway"
            elif ref in document.by_id:
                message = f"the sequence flow's {end} {ref} is not a task, event or gateway of the same process or sub-process; connect it inside the same pool"
            else:
                message = f"the sequence flow's {end} {ref} does not exist; reconnect the arrow or delete it"
            problems.append(document.problem(flow, "flow.dangling", message))
        if dangling:
            continue
        outgoing[source].append(flow)
        key = (source, target, _condition(flow))
        if key in seen_flows:
            first = seen_flows[key]
            problems.append(document.problem(flow, "flow.duplicate", f"this flow repeats {first.get('id')} (line {first.sourceline}): same source, target and condition; delete one of them"))
        else:
            seen_flows[key] = flow
    for node_id, node in nodes.items():
        problems += _check_outgoing(document, node, outgoing.get(node_id, []))
    problems += _check_boundary_events(document, container, nodes)
    return problems


def _condition(flow: etree._Element) -> str | None:
    condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    return None if condition is None else text_of(condition)


def _check_outgoing(document: Document, node: etree._Element, flows: list[etree._Element]) -> list[Problem]:
    kind = local(node)
    if kind in ACTIVITIES and len(flows) > 1:
        targets = ", ".join(flow.get("targetRef") for flow in flows)
        return [document.problem(node, "task.several_outgoing", f"the activity has {len(flows)} outgoing flows (to {targets}); draw a gateway after it: exclusive to choose one path, parallel to take them all")]
    if kind not in BRANCHING_GATEWAYS:
        return []
    problems = []
    default = node.get("default") or None
    flow_ids = {flow.get("id") for flow in flows}
    if default and default not in flow_ids:
        problems.append(document.problem(node, "gateway.bad_default", f"the default flow {default} is not one of this gateway's outgoing flows; mark one of its own outgoing flows as default"))
    for flow in flows:
        has_condition = bool(_condition(flow))
        is_default = default is not None and flow.get("id") == default
        if is_default and has_condition:
            problems.append(document.problem(flow, "gateway.default_with_condition", "the default flow of a gateway is taken when no other condition holds, so it must not have a condition; remove the condition or unmark it as default"))
        elif len(flows) > 1 and not has_condition and not is_default:
            problems.append(_unconditional_branch(document, node, flow))
    return problems


def _unconditional_branch(document: Document, gateway: etree._Element, flow: etree._Element) -> Problem:
    origin = _split_origin(gateway)
    if origin is not None:
        # The split the dialect drew after an activity: the author drew flows leaving the activity, not a gateway.
        # Only an empty condition gets here (a flow drawn without one is always taken, as in Camunda 7).
        activity = name_of(origin) or origin.get("id")
        return document.problem(flow, "gateway.unconditional_branch", f"this flow leaving '{activity}' has an empty condition "
                                "and is not its default flow; write the condition (e.g. decision == 'accepted') or remove "
                                "the empty one")
    name = name_of(gateway) or gateway.get("id")
    return document.problem(flow, "gateway.unconditional_branch", f"this branch of gateway '{name}' has no condition and is "
                            "not the default; add a condition (e.g. decision == 'accepted') or mark it as the default flow")


def _split_origin(gateway: etree._Element) -> etree._Element | None:
    """The activity whose outgoing flows a gateway inserted by `engine.pathways.dialect` splits (None for a drawn one)."""
    if gateway.sourceline is not None:
        return None
    container = gateway.getparent()
    for flow in container.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        if flow.get("targetRef") == gateway.get("id"):
            return next((node for node in container if node.get("id") == flow.get("sourceRef")), None)
    return None


def _check_boundary_events(document: Document, container: etree._Element, nodes: dict) -> list[Problem]:
    problems = []
    for event in container.findall(f"{{{BPMN_NS}}}boundaryEvent"):
        attached = event.get("attachedToRef")
        if attached not in nodes or local(nodes[attached]) not in ACTIVITIES:
            problems.append(document.problem(event, "event.dangling_boundary", f"the boundary event is attached to {attached or 'nothing'}, which is not a task or sub-process of the same process; attach it to the border of a task"))
    return problems
