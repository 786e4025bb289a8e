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

import math
import re
import sys
from dataclasses import dataclass, field
from itertools import pairwise

from lxml import etree

from engine.pathways.diagram_geometry import Point, crossings_between, label_size, simplify
from engine.pathways.documents import BPMN_NS, BPMNDI_NS, local, name_of
from engine.pathways.rules.layout import DC_NS, DI_NS, Box
from engine.pathways.xml import XmlProblem, parse_untrusted

EVENT = 36.0
GATEWAY = 50.0
TASK_WIDTH, TASK_HEIGHT = 96.0, 80.0
SUB_PROCESS_WIDTH = 110.0
GAP = 31.0  # between two columns: room for vertical flows and a short flow label
ROW = 124.0  # between two tracks: a task, a label below an event or above a gateway, a flow between
LANE_HEADER = 30.0
TOP = 36.0
MARGIN = 24.0
BOUNDARY_SPACING = 150.0  # between two boundary events on one side: each label sits right of its event
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
ACTIVITIES = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
              "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
SUB_PROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
# Children of a sub-process that come before its lane set in the BPMN schema's order.
BEFORE_LANES = {"documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef", "incoming",
                "outgoing", "ioSpecification", "property", "dataInputAssociation", "dataOutputAssociation",
                "resourceRole", "standardLoopCharacteristics", "multiInstanceLoopCharacteristics"}


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def lay_out(content: bytes) -> bytes:
    """The BPMN file with its diagram drawn again, one plane per process or sub-process."""
    root = parse_untrusted(content)
    if isinstance(root, XmlProblem):
        raise ValueError(root.message)
    for diagram in root.findall(_q(BPMNDI_NS, "BPMNDiagram")):
        root.remove(diagram)
    collaboration = root.find(_q(BPMN_NS, "collaboration"))
    participants = {p.get("processRef"): p for p in (collaboration if collaboration is not None else [])
                    if local(p) == "participant"}
    number = 0
    for process in root.findall(_q(BPMN_NS, "process")):
        lane_of = _lanes_of(process)
        containers = [process] + [e for e in process.iter() if isinstance(e.tag, str) and local(e) in SUB_PROCESSES
                                  and e.get("triggeredByEvent") != "true"]
        for container in containers:
            if container is not process:
                _add_lane_set(container, process, lane_of)
            number += 1
            participant = participants.get(process.get("id")) if container is process else None
            plane_element = collaboration if participant is not None else container
            diagram = etree.SubElement(root, _q(BPMNDI_NS, "BPMNDiagram"), id=f"BPMNDiagram_{number}"
                                       if number > 1 else "BPMNDiagram_1")
            plane = etree.SubElement(diagram, _q(BPMNDI_NS, "BPMNPlane"),
                                     id=f"BPMNPlane_{container.get('id')}", bpmnElement=plane_element.get("id"))
            _Plane(container, lane_of, participant).draw(plane)
    for diagram in root.findall(_q(BPMNDI_NS, "BPMNDiagram")):
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
    for lane_set in process.findall(_q(BPMN_NS, "laneSet")):
        for lane in lane_set.iter(_q(BPMN_NS, "lane")):
            for ref in lane.findall(_q(BPMN_NS, "flowNodeRef")):
                found.setdefault((ref.text or "").strip(), lane)
    return found


def _add_lane_set(sub_process: etree._Element, process: etree._Element, lane_of: dict) -> None:
    """The sub-process's own lanes, named and filled as the process's, for its plane to show them."""
    if sub_process.find(_q(BPMN_NS, "laneSet")) is not None:
        return
    members: dict[str, list[str]] = {}
    for node in _flow_nodes(sub_process, boundary=True):
        lane = lane_of.get(node.get("id"))
        if lane is not None:
            members.setdefault(lane.get("id"), []).append(node.get("id"))
    if not members:
        return
    lane_set = etree.Element(_q(BPMN_NS, "laneSet"), id=f"LaneSet_{sub_process.get('id')}")
    for lane in process.iter(_q(BPMN_NS, "lane")):
        if lane.get("id") in members:
            copy = etree.SubElement(lane_set, _q(BPMN_NS, "lane"), id=f"{lane.get('id')}_{sub_process.get('id')}")
            if lane.get("name"):
                copy.set("name", lane.get("name"))
            for member in members[lane.get("id")]:
                etree.SubElement(copy, _q(BPMN_NS, "flowNodeRef")).text = member
    position = 0
    for index, child in enumerate(sub_process):
        if isinstance(child.tag, str) and local(child) in BEFORE_LANES:
            position = index + 1
    before = sub_process[position - 1] if position else None
    space = (before.tail if before is not None else sub_process.text) or "\n"
    sub_process.insert(position, lane_set)
    etree.indent(lane_set, space="  ", level=(len(space) - len(space.rstrip(" "))) // 2)
    lane_set.tail = space


def _flow_nodes(container: etree._Element, boundary: bool = False) -> list[etree._Element]:
    kinds = EVENTS | GATEWAYS | ACTIVITIES | ({"boundaryEvent"} if boundary else set())
    return [e for e in container if isinstance(e.tag, str) and e.tag.startswith(f"{{{BPMN_NS}}}") and local(e) in kinds]


@dataclass
class _Node:
    element: etree._Element
    kind: str
    width: float
    height: float
    band: int = 0
    rank: int = 0
    track: int = 0
    x: float = 0.0
    y: float = 0.0
    boundaries: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.element.get("id")

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.width, self.height)

    @property
    def centre(self) -> Point:
        return self.x + self.width / 2, self.y + self.height / 2


class _Plane:
    """One plane: the direct content of a process or sub-process, in lanes."""

    def __init__(self, container: etree._Element, lane_of: dict, participant: etree._Element | None):
        self.container = container
        self.participant = participant
        self.nodes: dict[str, _Node] = {}
        for element in _flow_nodes(container):
            kind = local(element)
            if kind in EVENTS:
                size = (EVENT, EVENT)
            elif kind in GATEWAYS:
                size = (GATEWAY, GATEWAY)
            else:
                # A collapsed sub-process also draws its markers under its name: a little wider.
                size = (SUB_PROCESS_WIDTH if kind in SUB_PROCESSES else TASK_WIDTH, TASK_HEIGHT)
            self.nodes[element.get("id")] = _Node(element, kind, *size)
        self.boundaries: dict[str, _Node] = {}
        for element in container:
            if isinstance(element.tag, str) and local(element) == "boundaryEvent":
                host = self.nodes.get(element.get("attachedToRef"))
                if host is not None:
                    node = _Node(element, "boundaryEvent", EVENT, EVENT)
                    self.boundaries[node.id] = node
                    host.boundaries.append(node)
        self.flows = [f for f in container.findall(_q(BPMN_NS, "sequenceFlow"))
                      if f.get("sourceRef") in self.nodes.keys() | self.boundaries.keys()
                      and f.get("targetRef") in self.nodes]
        lane_set = container.find(_q(BPMN_NS, "laneSet"))
        own_lanes = list(lane_set.iter(_q(BPMN_NS, "lane"))) if container is not None and lane_set is not None else []
        if local(container) == "process":
            own = {lane.get("id") for lane in lane_of.values()}
            own_lanes = [lane for lane in container.iter(_q(BPMN_NS, "lane")) if lane.get("id") in own
                         and lane.getparent().getparent() is container]
        member_of = {}
        for index, lane in enumerate(own_lanes):
            for ref in lane.findall(_q(BPMN_NS, "flowNodeRef")):
                member_of.setdefault((ref.text or "").strip(), index)
        # Every lane of the process is drawn, even one whose work is all inside sub-processes.
        used = list(range(len(own_lanes)))
        self.lanes = [own_lanes[i] for i in used]
        for node in self.nodes.values():
            node.band = used.index(member_of[node.id]) if node.id in member_of else 0
        self.labels: list[Box] = []
        self.edges: dict[str, list[Point]] = {}
        self.edge_labels: dict[str, Box] = {}
        self.node_labels: dict[str, Box] = {}

    # -- placement -------------------------------------------------------------------------------
    def _source_node(self, flow: etree._Element) -> _Node:
        source = flow.get("sourceRef")
        if source in self.boundaries:
            return self.nodes[self.boundaries[source].element.get("attachedToRef")]
        return self.nodes[source]

    def _rank(self) -> None:
        incoming: dict[str, list[str]] = {n: [] for n in self.nodes}
        for flow in self.flows:
            incoming[flow.get("targetRef")].append(self._source_node(flow).id)
        done: dict[str, int] = {}
        visiting: set[str] = set()

        def rank(node_id: str) -> int:
            if node_id in done:
                return done[node_id]
            visiting.add(node_id)
            # A flow back to a step already on the path is a loop: it does not push the step right.
            value = max((rank(p) + 1 for p in incoming[node_id] if p not in visiting), default=0)
            visiting.discard(node_id)
            done[node_id] = value
            return value

        for node_id in self.nodes:
            self.nodes[node_id].rank = rank(node_id)

    def _order(self) -> list[_Node]:
        """Nodes in the order the flows reach them from the starts, the first flow first."""
        outgoing: dict[str, list[str]] = {}
        for flow in self.flows:
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        seen: list[str] = []
        starts = [n for n in self.nodes.values() if not any(f.get("targetRef") == n.id for f in self.flows)]
        stack = [n.id for n in reversed(starts)]
        while stack:
            node_id = stack.pop()
            if node_id in seen:
                continue
            seen.append(node_id)
            node = self.nodes[node_id]
            nexts = list(outgoing.get(node_id, []))
            for boundary in node.boundaries:
                nexts += outgoing.get(boundary.id, [])
            stack += [n for n in reversed(nexts) if n not in seen]
        seen += [n for n in self.nodes if n not in seen]
        position = {n: i for i, n in enumerate(seen)}
        return sorted(self.nodes.values(), key=lambda n: (n.rank, position[n.id]))

    def _tracks(self) -> None:
        taken: dict[tuple[int, int, int], str] = {}  # (band, rank, track) -> node id or a flow kept straight
        claimed: dict[str, int] = {}
        first_out: dict[str, list[str]] = {}
        for flow in self.flows:
            first_out.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        for node in self._order():
            preds = [(self.nodes.get(f.get("sourceRef")) or self.boundaries[f.get("sourceRef")], f)
                     for f in self.flows if f.get("targetRef") == node.id]
            wanted = claimed.get(node.id)
            if wanted is None:
                same = [self._track_of(p) + (1 if p.kind == "boundaryEvent" else 0)
                        for p, _ in preds if self._band_of(p) == node.band]
                wanted = min(same) if same else 0
            track = wanted
            while taken.get((node.band, node.rank, track), node.id) != node.id:
                track += 1
            node.track = track
            taken[(node.band, node.rank, track)] = node.id
            for boundary in node.boundaries:  # its flows go down past the step: keep the cell below free
                if any(self.nodes[t].band == node.band for t in first_out.get(boundary.id, [])):
                    taken.setdefault((node.band, node.rank, track + 1), boundary.id)
            straight = next((t for t in first_out.get(node.id, []) if self.nodes[t].band == node.band
                             and t not in claimed and self.nodes[t].rank > node.rank), None)
            if straight is not None and all(taken.get((node.band, r, track)) is None
                                            for r in range(node.rank + 1, self.nodes[straight].rank + 1)):
                claimed[straight] = track
                for r in range(node.rank + 1, self.nodes[straight].rank):
                    taken[(node.band, r, track)] = f"->{straight}"

    def _track_of(self, node: _Node) -> int:
        if node.kind == "boundaryEvent":
            return self.nodes[node.element.get("attachedToRef")].track
        return node.track

    def _band_of(self, node: _Node) -> int:
        if node.kind == "boundaryEvent":
            return self.nodes[node.element.get("attachedToRef")].band
        return node.band

    def _boundary_widths(self) -> None:
        for node in self.nodes.values():
            if node.boundaries:
                per_side = math.ceil(len(node.boundaries) / 2) if len(node.boundaries) > 2 else len(node.boundaries)
                if len(node.boundaries) > 1:  # each event's label sits right of it, before the next event
                    node.width = max(node.width, per_side * BOUNDARY_SPACING)

    def _coordinates(self) -> None:
        ranks = max((n.rank for n in self.nodes.values()), default=0) + 1
        widths = [max((n.width for n in self.nodes.values() if n.rank == r), default=EVENT) for r in range(ranks)]
        left = LANE_HEADER * (2 if self.participant is not None else 1) + MARGIN / 2
        self.columns: list[tuple[float, float]] = []
        x = left
        for rank, width in enumerate(widths):
            self.columns.append((x, width))
            x += width + GAP + self.wider.get(rank, 0.0)
        self.right = x - GAP + MARGIN / 2
        bands = len(self.lanes) or 1
        tracks = [max((n.track for n in self.nodes.values() if n.band == b), default=0) + 1 for b in range(bands)]
        self.band_tops: list[float] = []
        y = 0.0
        tracks[0] += TOP / ROW  # room above the first lane's labels, under the viewer's breadcrumbs
        for count in tracks:
            self.band_tops.append(y)
            y += count * ROW + MARGIN
        self.bottom = y
        for node in self.nodes.values():
            column_x, column_width = self.columns[node.rank]
            # A gateway stands at its column's left: its flows' labels get the rest of the column.
            node.x = column_x + (0 if node.kind in GATEWAYS else (column_width - node.width) / 2)
            centre_y = self.band_tops[node.band] + MARGIN / 2 + ROW / 2 + node.track * ROW + (TOP if node.band == 0 else 0)
            node.y = centre_y - node.height / 2

    def _place_boundaries(self) -> None:
        """Events on the border of a step, apart, each on the side of the step its flow goes to."""
        outgoing = {f.get("sourceRef"): self.nodes[f.get("targetRef")] for f in self.flows}
        for host in self.nodes.values():
            below, above = [], []
            for event in host.boundaries:
                target = outgoing.get(event.id)
                (above if target is not None and target.centre[1] < host.centre[1] else below).append(event)
            # The flow going furthest leaves first, so the flows do not cross one another.
            below.sort(key=lambda e: -(outgoing[e.id].centre[1] if e.id in outgoing else 0))
            above.sort(key=lambda e: outgoing[e.id].centre[1] if e.id in outgoing else 0)
            for index, event in enumerate(below):
                event.x, event.y = host.x + BOUNDARY_SPACING * index + 12, host.y + host.height - EVENT / 2
            # Those on top start from the right, away from those below.
            start = host.x + host.width - 12 - EVENT - BOUNDARY_SPACING * (len(above) - 1)
            for index, event in enumerate(above):
                event.x, event.y = start + BOUNDARY_SPACING * index, host.y - EVENT / 2

    # -- flows -----------------------------------------------------------------------------------
    def _solid(self) -> list[tuple[str, Box]]:
        return [(n.id, n.box) for n in list(self.nodes.values()) + list(self.boundaries.values())]

    def _gap_xs(self, rank: int) -> list[float]:
        """x of the vertical channels in the gap right of column `rank` (negative: left of the first)."""
        if rank < 0:
            start = self.columns[0][0] - GAP
        else:
            start = self.columns[rank][0] + self.columns[rank][1]
        return [start + GAP * part / 4 for part in (2, 1, 3)]

    def _candidates(self, flow: etree._Element) -> list[list[Point]]:
        source_id, target = flow.get("sourceRef"), self.nodes[flow.get("targetRef")]
        (tx, ty), tleft = target.centre, target.x
        found = []
        if source_id in self.boundaries:
            event = self.boundaries[source_id]
            ex, ey = event.centre
            host = self.nodes[event.element.get("attachedToRef")]
            out = (ex, event.y + EVENT) if ey >= host.centre[1] else (ex, event.y)
            found.append([out, (ex, ty), (tleft, ty)])
            for gx in self._gap_xs(target.rank - 1):
                found.append([out, (ex, (out[1] + ty) / 2), (gx, (out[1] + ty) / 2), (gx, ty), (tleft, ty)])
            return found
        source = self.nodes[source_id]
        (sx, sy), sright = source.centre, source.x + source.width
        if abs(sy - ty) < 1:
            found.append([(sright, sy), (tleft, ty)])
        if source.kind in GATEWAYS and abs(sy - ty) >= 1:
            side = source.y + source.height if ty > sy else source.y
            found.append([(sx, side), (sx, ty), (tleft, ty)])
        lines = sorted({n.centre[1] for n in self.nodes.values()} | {self.bottom - MARGIN / 2},
                       key=lambda y: (abs(y - sy) + abs(y - ty), y))
        for line in lines:
            for gx_out in self._gap_xs(source.rank):
                for gx_in in self._gap_xs(target.rank - 1):
                    path = [(sright, sy), (gx_out, sy), (gx_out, line), (gx_in, line), (gx_in, ty), (tleft, ty)]
                    if source.kind in GATEWAYS and abs(line - sy) >= 1:
                        side = source.y + source.height if line > sy else source.y
                        found.append(simplify([(sx, side), (sx, line), (gx_in, line), (gx_in, ty), (tleft, ty)]))
                    found.append(simplify(path))
        return found

    def _route(self) -> None:
        solid = self._solid()
        for flow in self.flows:
            ends = {flow.get("sourceRef"), flow.get("targetRef")}
            best, best_score = None, None
            for path in self._candidates(flow):
                through = sum(1 for i, box in solid if i not in ends and i not in self._hosts(ends)
                              and any(box.crossed_by(a, b) for a, b in pairwise(path)))
                crossings = sum(crossings_between(path, other) for other in self.edges.values())
                score = (through, crossings, len(path))
                if best_score is None or score < best_score:
                    best, best_score = path, score
                if score[:2] == (0, 0) and len(path) <= 3:
                    break
            self.edges[flow.get("id")] = best

    def _hosts(self, ends: set) -> set:
        return {self.boundaries[e].element.get("attachedToRef") for e in ends if e in self.boundaries}

    # -- labels ----------------------------------------------------------------------------------
    def _free(self, box: Box, own_edges: tuple[str, ...] = ()) -> bool:
        if any(box.overlaps(other) for other in self.labels):
            return False
        if any(box.overlaps(shape) for _, shape in self._solid()):
            return False
        return not any(box.crossed_by(a, b) for edge_id, path in self.edges.items() if edge_id not in own_edges
                       for a, b in pairwise(path)) and not any(
            box.crossed_by(a, b) for edge_id in own_edges for a, b in pairwise(self.edges.get(edge_id, [])))

    def _place(self, candidates: list[Box], own: tuple[str, ...] = ()) -> Box:
        for box in candidates:
            if self._free(box, own):
                self.labels.append(box)
                return box
        self.crowded = True
        # Nowhere free: over a flow or a step's corner rather than over another label.
        best = min(candidates, key=lambda b: (sum(b.overlaps(o) for o in self.labels),
                                              sum(b.overlaps(s) for _, s in self._solid())))
        self.labels.append(best)
        return best

    def _label_nodes(self) -> None:
        for node in list(self.nodes.values()) + list(self.boundaries.values()):
            text = name_of(node.element)
            if not text or node.kind in ACTIVITIES:
                continue
            width, height = label_size(text)
            (cx, cy), box = node.centre, node.box
            below = Box(cx - width / 2, box.y + box.height + 4, width, height)
            above = Box(cx - width / 2, box.y - 4 - height, width, height)
            # At the plane's right end, wrapped narrower rather than wider than the plane.
            narrow_width, narrow_height = label_size(text, 56.0)
            narrow = Box(min(cx - narrow_width / 2, self.right - narrow_width), box.y + box.height + 4,
                         narrow_width, narrow_height)
            if below.x + below.width > self.right:
                below, above = narrow, Box(narrow.x, box.y - 4 - narrow_height, narrow_width, narrow_height)
            right_low = Box(box.x + box.width + 4, box.y + box.height - 4, width, height)
            left_low = Box(box.x - 4 - width, box.y + box.height - 4, width, height)
            if node.kind == "boundaryEvent":
                host = self.nodes[node.element.get("attachedToRef")]
                if cy < host.centre[1]:  # on the top border: the label above the step
                    order = [Box(box.x + box.width + 2, box.y + box.height / 2 - 4 - height, width, height),
                             Box(box.x - 2 - width, box.y + box.height / 2 - 4 - height, width, height), above]
                else:
                    order = [Box(box.x + box.width + 2, box.y + box.height / 2 + 4, width, height),
                             Box(box.x - 2 - width, box.y + box.height / 2 + 4, width, height), below]
                if host.kind in SUB_PROCESSES:  # the viewer puts its drill-down button at the bottom right
                    order = [order[1], order[0], order[2]]
            elif node.kind in GATEWAYS:
                # Up and to the left, where the flow comes in: the flows going out keep room for their labels.
                order = [Box(cx - 8 - width, box.y - height + 4, width, height), above, below, right_low, left_low]
            else:
                order = [below, above, right_low, left_low]
            self.node_labels[node.id] = self._place(order)

    def _label_flows(self) -> None:
        for flow in self.flows:
            text = name_of(flow)
            if not text:
                continue
            width, height = label_size(text, 70.0)
            path = self.edges[flow.get("id")]
            candidates = []
            for (ax, ay), (bx, by) in pairwise(path):
                if abs(ay - by) < 1:  # horizontal
                    for start in (min(ax, bx) + 6, max(ax, bx) - 6 - width, (ax + bx - width) / 2):
                        candidates += [Box(start, ay - 4 - height, width, height), Box(start, ay + 4, width, height)]
                else:
                    for start in (min(ay, by) + 6, max(ay, by) - 6 - height, (ay + by - height) / 2):
                        candidates += [Box(ax + 5, start, width, height), Box(ax - 5 - width, start, width, height)]
            self.crowded = False
            self.edge_labels[flow.get("id")] = self._place(candidates, (flow.get("id"),))
            if self.crowded and flow.get("sourceRef") in self.nodes:
                rank = self.nodes[flow.get("sourceRef")].rank
                self.wider[rank] = self.wider.get(rank, 0.0) + width / 2 + 6

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
            edge = etree.SubElement(plane, _q(BPMNDI_NS, "BPMNEdge"), id=f"{flow.get('id')}_di",
                                    bpmnElement=flow.get("id"))
            for x, y in self.edges[flow.get("id")]:
                etree.SubElement(edge, _q(DI_NS, "waypoint"), x=_n(x), y=_n(y))
            if flow.get("id") in self.edge_labels:
                _bounds(etree.SubElement(edge, _q(BPMNDI_NS, "BPMNLabel")), self.edge_labels[flow.get("id")])


def _shape(plane, element_id: str, box: Box, label: Box | None = None, horizontal: bool = False) -> etree._Element:
    shape = etree.SubElement(plane, _q(BPMNDI_NS, "BPMNShape"), id=f"{element_id}_di", bpmnElement=element_id)
    if horizontal:
        shape.set("isHorizontal", "true")
    _bounds(shape, box)
    if label is not None:
        _bounds(etree.SubElement(shape, _q(BPMNDI_NS, "BPMNLabel")), label)
    return shape


def _bounds(parent, box: Box) -> None:
    etree.SubElement(parent, _q(DC_NS, "Bounds"), x=_n(box.x), y=_n(box.y), width=_n(box.width), height=_n(box.height))


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
