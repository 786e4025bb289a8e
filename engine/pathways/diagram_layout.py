"""Draws a pathway's diagram for reading: one plane per sub-process, lanes in every plane.

A pathway drawn as one wide plane does not fit a screen or a projector at a readable zoom. This
routine rewrites only the diagram interchange (DI) of a BPMN file, the way Camunda Modeler 5 and
bpmn-js write a collapsed sub-process: the sub-process is a box in its parent's plane and its
content is drawn on its own plane (a `BPMNDiagram` whose plane's `bpmnElement` is the sub-process).

bpmn-js draws an element once, on one plane, so the process's lanes cannot be repeated inside a
sub-process's plane. Each sub-process therefore gets its own lane set with lanes of the same names
and members as the process's (a sub-process may partition its content in lanes, BPMN 2.0 §10.8);
the process's lanes stay first in the file, so whoever reads "the lane of a task" reads the same
lane as before. Nothing else of the model changes: ids, flows, conditions, forms, timers.

Placement is layered: a step's column is the longest path to it, its row is its lane and, within a
lane, a track (the first free one, a straight line kept for the first flow out of each step). Flows
and labels are placed by trying candidate routes and positions in order and keeping the first that
crosses no shape, label or (when one can) other flow; the layout warnings check the result.

    python -m engine.pathways.diagram_layout pathways/cameroon-nrm/pathway.bpmn
"""

from __future__ import annotations

import re
import sys

from lxml import etree

from engine.pathways.diagram_placement import LANE_HEADER, SUB_PROCESSES, flow_nodes, q
from engine.pathways.diagram_routing import RoutedPlane
from engine.pathways.documents import BPMN_NS, BPMNDI_NS, local
from engine.pathways.rules.layout import DC_NS, DI_NS, Box
from engine.pathways.xml import XmlProblem, parse_untrusted

# Children of a sub-process that come before its lane set in the BPMN schema's order.
BEFORE_LANES = {"documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef", "incoming",
                "outgoing", "ioSpecification", "property", "dataInputAssociation", "dataOutputAssociation",
                "resourceRole", "standardLoopCharacteristics", "multiInstanceLoopCharacteristics"}


def lay_out(content: bytes) -> bytes:
    """The BPMN file with its diagram drawn again, one plane per process or sub-process."""
    root = parse_untrusted(content)
    if isinstance(root, XmlProblem):
        raise ValueError(root.message)
    for diagram in root.findall(q(BPMNDI_NS, "BPMNDiagram")):
        root.remove(diagram)
    collaboration = root.find(q(BPMN_NS, "collaboration"))
    participants = {p.get("processRef"): p for p in (collaboration if collaboration is not None else [])
                    if local(p) == "participant"}
    number = 0
    for process in root.findall(q(BPMN_NS, "process")):
        lane_of = _lanes_of(process)
        containers = [process] + [e for e in process.iter() if isinstance(e.tag, str) and local(e) in SUB_PROCESSES
                                  and e.get("triggeredByEvent") != "true"]
        for container in containers:
            if container is not process:
                _add_lane_set(container, process, lane_of)
            number += 1
            participant = participants.get(process.get("id")) if container is process else None
            plane_element = collaboration if participant is not None else container
            diagram = etree.SubElement(root, q(BPMNDI_NS, "BPMNDiagram"), id=f"BPMNDiagram_{number}"
                                       if number > 1 else "BPMNDiagram_1")
            plane = etree.SubElement(diagram, q(BPMNDI_NS, "BPMNPlane"),
                                     id=f"BPMNPlane_{container.get('id')}", bpmnElement=plane_element.get("id"))
            _Plane(container, lane_of, participant).draw(plane)
    for diagram in root.findall(q(BPMNDI_NS, "BPMNDiagram")):
        etree.indent(diagram, space="  ", level=1)
        diagram.tail = "\n"
    if len(root):
        root[-1].tail = "\n"
    # Written as Camunda Modeler writes (double-quoted declaration, a space before "/>"): only the
    # diagram shows in a comparison of the file before and after.
    body = re.sub(rb"(?<! )/>", b" />", etree.tostring(root, encoding="UTF-8"))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _lanes_of(process: etree._Element) -> dict[str, etree._Element]:
    """Each flow node's lane in the process's own lane set (the first lane that lists it)."""
    found: dict[str, etree._Element] = {}
    for lane_set in process.findall(q(BPMN_NS, "laneSet")):
        for lane in lane_set.iter(q(BPMN_NS, "lane")):
            for ref in lane.findall(q(BPMN_NS, "flowNodeRef")):
                found.setdefault((ref.text or "").strip(), lane)
    return found


def _add_lane_set(sub_process: etree._Element, process: etree._Element, lane_of: dict) -> None:
    """The sub-process's own lanes, named and filled as the process's, for its plane to show them."""
    if sub_process.find(q(BPMN_NS, "laneSet")) is not None:
        return
    members: dict[str, list[str]] = {}
    for node in flow_nodes(sub_process, boundary=True):
        lane = lane_of.get(node.get("id"))
        if lane is not None:
            members.setdefault(lane.get("id"), []).append(node.get("id"))
    if not members:
        return
    lane_set = etree.Element(q(BPMN_NS, "laneSet"), id=f"LaneSet_{sub_process.get('id')}")
    for lane in process.iter(q(BPMN_NS, "lane")):
        if lane.get("id") in members:
            copy = etree.SubElement(lane_set, q(BPMN_NS, "lane"), id=f"{lane.get('id')}_{sub_process.get('id')}")
            if lane.get("name"):
                copy.set("name", lane.get("name"))
            for member in members[lane.get("id")]:
                etree.SubElement(copy, q(BPMN_NS, "flowNodeRef")).text = member
    position = 0
    for index, child in enumerate(sub_process):
        if isinstance(child.tag, str) and local(child) in BEFORE_LANES:
            position = index + 1
    before = sub_process[position - 1] if position else None
    space = (before.tail if before is not None else sub_process.text) or "\n"
    sub_process.insert(position, lane_set)
    etree.indent(lane_set, space="  ", level=(len(space) - len(space.rstrip(" "))) // 2)
    lane_set.tail = space


class _Plane(RoutedPlane):
    """One plane: the direct content of a process or sub-process, in lanes, drawn."""

    # -- writing ---------------------------------------------------------------------------------
    def draw(self, plane: etree._Element) -> None:
        self._rank()
        self._tracks()
        self._boundary_widths()
        self.wider: dict[int, float] = {}  # extra room after a column whose flow label found none
        for _ in range(4):
            tried = dict(self.wider)
            self.labels, self.edges, self.edge_labels, self.node_labels = [], {}, {}, {}
            self._coordinates()
            self._place_boundaries()
            self._route()
            self._label_nodes()
            self._label_flows()
            if self.wider == tried:
                break
        left = LANE_HEADER if self.participant is not None else 0.0
        if self.participant is not None:
            _shape(plane, self.participant.get("id"), Box(0, 0, self.right, self.bottom), horizontal=True)
        for index, lane in enumerate(self.lanes):
            bottom = self.band_tops[index + 1] if index + 1 < len(self.band_tops) else self.bottom
            _shape(plane, lane.get("id"), Box(left, self.band_tops[index], self.right - left,
                                              bottom - self.band_tops[index]), horizontal=True)
        for node in self.nodes.values():
            shape = _shape(plane, node.id, node.box, label=self.node_labels.get(node.id))
            if node.kind in SUB_PROCESSES:
                shape.set("isExpanded", "false")
        for node in self.boundaries.values():
            _shape(plane, node.id, node.box, label=self.node_labels.get(node.id))
        for flow in self.flows:
            edge = etree.SubElement(plane, q(BPMNDI_NS, "BPMNEdge"), id=f"{flow.get('id')}_di",
                                    bpmnElement=flow.get("id"))
            for x, y in self.edges[flow.get("id")]:
                etree.SubElement(edge, q(DI_NS, "waypoint"), x=_n(x), y=_n(y))
            if flow.get("id") in self.edge_labels:
                _bounds(etree.SubElement(edge, q(BPMNDI_NS, "BPMNLabel")), self.edge_labels[flow.get("id")])


def _shape(plane, element_id: str, box: Box, label: Box | None = None, horizontal: bool = False) -> etree._Element:
    shape = etree.SubElement(plane, q(BPMNDI_NS, "BPMNShape"), id=f"{element_id}_di", bpmnElement=element_id)
    if horizontal:
        shape.set("isHorizontal", "true")
    _bounds(shape, box)
    if label is not None:
        _bounds(etree.SubElement(shape, q(BPMNDI_NS, "BPMNLabel")), label)
    return shape


def _bounds(parent, box: Box) -> None:
    etree.SubElement(parent, q(DC_NS, "Bounds"), x=_n(box.x), y=_n(box.y), width=_n(box.width), height=_n(box.height))


def _n(value: float) -> str:
    return str(int(round(value)))


def main(argv: list[str]) -> int:
    """Rewrite each named BPMN file's diagram in place."""
    for path in argv:
        with open(path, "rb") as handle:
            content = handle.read()
        with open(path, "wb") as handle:
            handle.write(lay_out(content))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
