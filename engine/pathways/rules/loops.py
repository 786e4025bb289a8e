"""Loops drawn with sequence flows: accepted, as in Camunda 7, with a bound on the turns each case may take.

Each turn of a flow-drawn loop deepens SpiffWorkflow's task tree by a few levels; after a few
hundred turns the library would silently report the workflow completed while work is pending. So
each loop gets a bound (`DEFAULT_LOOP_TURNS`, or the process property `aiguillage.loop.maximum`,
at most `MAX_LOOP_TURNS`); a case reaching it stops with a located error on the step
(`engine.runtime.loop_bounds`). Validation warns about every drawn loop and says so.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from engine.pathways.documents import BPMN_NS, EXTENSION_NAMESPACES, Document, extension_children, containers, flow_nodes, name_of, sequence_flows
from engine.pathways.problems import Problem

MAX_LOOP_TURNS = 250
DEFAULT_LOOP_TURNS = 100
LOOP_PROPERTY = "aiguillage.loop.maximum"


def check_loops(document: Document, checked: set[str]) -> list[Problem]:
    """A warning for each sequence flow that closes a loop, in every checked process; an error for a bad bound."""
    problems = []
    for process in document.processes():
        if process.get("id") in checked:
            problems += _check_bound_property(document, process)
    for container in containers(document.root):
        process_id = _process_id(container)
        if process_id in checked:
            bound = loop_bound(document.by_id.get(process_id))
            problems += [p.as_warning() for p in _loops_in(document, container, bound)]
    return problems


def loop_bound(process: etree._Element | None) -> int:
    """The turns a case may take round each drawn loop of the process (its property, else the default)."""
    if process is None:
        return DEFAULT_LOOP_TURNS
    value = _bound_property(process)
    if value is not None and value.isdigit() and 1 <= int(value) <= MAX_LOOP_TURNS:
        return int(value)
    return DEFAULT_LOOP_TURNS


def _bound_property(process: etree._Element) -> str | None:
    for prop in extension_children(process, "properties/property"):
        if prop.get("name") == LOOP_PROPERTY:
            return (prop.get("value") or "").strip()
    return None


def _check_bound_property(document: Document, process: etree._Element) -> list[Problem]:
    value = _bound_property(process)
    if value is None or (value.isdigit() and 1 <= int(value) <= MAX_LOOP_TURNS):
        return []
    return [document.problem(process, "loop.unbounded", f"{LOOP_PROPERTY} {value[:20]!r} must be a whole number from 1 to {MAX_LOOP_TURNS}")]


def _process_id(element: etree._Element) -> str | None:
    while element is not None and element.tag != f"{{{BPMN_NS}}}process":
        element = element.getparent()
    return None if element is None else element.get("id")


def _loops_in(document: Document, container: etree._Element, bound: int) -> list[Problem]:
    nodes = {node.get("id"): node for node in flow_nodes(container) if node.get("id")}
    edges: dict[str, list[tuple[str, etree._Element | None]]] = defaultdict(list)
    for flow in sequence_flows(container):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in nodes and target in nodes:
            edges[source].append((target, flow))
    for event in container.findall(f"{{{BPMN_NS}}}boundaryEvent"):
        # A boundary event leaves its activity: a path from it back to the activity is a loop too.
        if event.get("attachedToRef") in nodes and event.get("id"):
            edges[event.get("attachedToRef")].append((event.get("id"), None))
    problems = []
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for root in nodes:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(edges.get(root, ())))]
        while stack:
            node, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            target, flow = step
            if state.get(target) == 1:
                problems.append(_loop_problem(document, nodes, flow, target, [n for n, _ in stack], bound))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(edges.get(target, ()))))
    return problems


def _loop_problem(document: Document, nodes: dict, flow: etree._Element | None, target: str, path: list[str], bound: int) -> Problem:
    cycle = path[path.index(target):]
    names = " → ".join(name_of(nodes[n]) or n for n in cycle[:6]) + (" → …" if len(cycle) > 6 else "")
    back_to = name_of(nodes[target]) or target
    where = flow if flow is not None else nodes[cycle[-1]]
    message = (f"this flow goes back to '{back_to}' and closes a loop ({names}); as in Camunda 7 it runs, but a case may go "
               f"round it at most {bound} times and then stops with an error (the process property {LOOP_PROPERTY} changes "
               f"that, up to {MAX_LOOP_TURNS}); for follow-ups that repeat, a loop marker or a cycle timer (R3/P30D) has no such limit")
    return document.problem(where, "flow.loop", message)


MAX_MARKER_TURNS = 1000


def check_loop_markers(document: Document, checked: set[str]) -> list[Problem]:
    """Loop markers must be bounded; multi-instances must say what they repeat over."""
    problems = []
    for process in document.processes():
        if process.get("id") not in checked:
            continue
        for marker in process.iter(f"{{{BPMN_NS}}}standardLoopCharacteristics"):
            problems += _standard_loop(document, marker)
        for marker in process.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
            problems += _multi_instance(document, marker)
    return problems


def _standard_loop(document: Document, marker: etree._Element) -> list[Problem]:
    owner = marker.getparent()
    maximum = (marker.get("loopMaximum") or "").strip()
    if not maximum:
        return [document.problem(owner, "loop.unbounded", f"the loop has no maximum; set loopMaximum (e.g. 3, at most {MAX_MARKER_TURNS}) so it cannot repeat forever")]
    if not maximum.isdigit() or not 1 <= int(maximum) <= MAX_MARKER_TURNS:
        return [document.problem(owner, "loop.unbounded", f"loopMaximum {maximum[:20]!r} must be a whole number from 1 to {MAX_MARKER_TURNS}")]
    return []


def _multi_instance(document: Document, marker: etree._Element) -> list[Problem]:
    owner = marker.getparent()
    cardinality = marker.find(f"{{{BPMN_NS}}}loopCardinality")
    has_cardinality = cardinality is not None and "".join(cardinality.itertext()).strip()
    has_collection = any(
        (marker.get(f"{{{uri}}}collection") or "").strip()
        for uri in EXTENSION_NAMESPACES
    )
    if has_cardinality or has_collection:
        return []
    return [document.problem(owner, "loop.no_collection", "the multi-instance says neither how many times to run nor over which list; set 'Collection' (e.g. needs) or 'Loop cardinality' (e.g. 3)")]
