"""Loops drawn with sequence flows: refused, because nothing bounds them.

Each turn of a flow-drawn loop deepens SpiffWorkflow's task tree by about three levels; after
roughly 330 turns the workflow silently reports itself completed while work is pending. A loop
marker (standardLoopCharacteristics with loopMaximum), a multi-instance or a cycle timer
repeats work without that growth, so the rule is simple: no cycle in the sequence-flow graph.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from engine.pathways.documents import BPMN_NS, Document, containers, flow_nodes, name_of, sequence_flows
from engine.pathways.problems import Problem

ADVICE = ("a loop drawn with arrows can run without bound; to repeat work, put a loop marker on the task or "
          "sub-process (standard loop with a maximum), use a multi-instance, or a cycle timer (R3/P30D)")


def check_loops(document: Document, checked: set[str]) -> list[Problem]:
    """One problem for each sequence flow that closes a loop, in every checked process."""
    problems = []
    for container in containers(document.root):
        if _process_id(container) in checked:
            problems += _loops_in(document, container)
    return problems


def _process_id(element: etree._Element) -> str | None:
    while element is not None and element.tag != f"{{{BPMN_NS}}}process":
        element = element.getparent()
    return None if element is None else element.get("id")


def _loops_in(document: Document, container: etree._Element) -> list[Problem]:
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
                problems.append(_loop_problem(document, nodes, flow, target, [n for n, _ in stack]))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(edges.get(target, ()))))
    return problems


def _loop_problem(document: Document, nodes: dict, flow: etree._Element | None, target: str, path: list[str]) -> Problem:
    cycle = path[path.index(target):]
    names = " → ".join(name_of(nodes[n]) or n for n in cycle[:6]) + (" → …" if len(cycle) > 6 else "")
    back_to = name_of(nodes[target]) or target
    where = flow if flow is not None else nodes[cycle[-1]]
    return document.problem(where, "flow.loop", f"this flow goes back to '{back_to}' and closes a loop ({names}); {ADVICE}")


MAX_LOOP_TURNS = 1000


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
        return [document.problem(owner, "loop.unbounded", f"the loop has no maximum; set loopMaximum (e.g. 3, at most {MAX_LOOP_TURNS}) so it cannot repeat forever")]
    if not maximum.isdigit() or not 1 <= int(maximum) <= MAX_LOOP_TURNS:
        return [document.problem(owner, "loop.unbounded", f"loopMaximum {maximum[:20]!r} must be a whole number from 1 to {MAX_LOOP_TURNS}")]
    return []


def _multi_instance(document: Document, marker: etree._Element) -> list[Problem]:
    owner = marker.getparent()
    cardinality = marker.find(f"{{{BPMN_NS}}}loopCardinality")
    has_cardinality = cardinality is not None and "".join(cardinality.itertext()).strip()
    has_collection = any(
        (marker.get(f"{{{uri}}}collection") or "").strip()
        for uri in ("http://camunda.org/schema/1.0/bpmn", "http://operaton.org/schema/1.0/bpmn")
    )
    if has_cardinality or has_collection:
        return []
    return [document.problem(owner, "loop.no_collection", "the multi-instance says neither how many times to run nor over which list; set 'Collection' (e.g. needs) or 'Loop cardinality' (e.g. 3)")]
