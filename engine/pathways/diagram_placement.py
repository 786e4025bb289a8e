"""Where a plane's steps go: a step's column is the longest path to it, its row is its lane and, within a lane, a
track (the first free one, a straight line kept for the first flow out of each step); events sit on the borders of
their steps. engine.pathways.diagram_routing places the flows and labels, engine.pathways.diagram_layout writes it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lxml import etree

from engine.pathways.diagram_geometry import Point
from engine.pathways.documents import BPMN_NS, local
from engine.pathways.rules.layout import Box

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


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def flow_nodes(container: etree._Element, boundary: bool = False) -> list[etree._Element]:
    kinds = EVENTS | GATEWAYS | ACTIVITIES | ({"boundaryEvent"} if boundary else set())
    return [e for e in container if isinstance(e.tag, str) and e.tag.startswith(f"{{{BPMN_NS}}}") and local(e) in kinds]


@dataclass
class Node:
    """A step or a boundary event of the plane, and where it stands."""

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


class PlacedPlane:
    """One plane: the direct content of a process or sub-process, in lanes, its steps placed."""

    def __init__(self, container: etree._Element, lane_of: dict, participant: etree._Element | None):
        self.container = container
        self.participant = participant
        self.nodes: dict[str, Node] = {}
        for element in flow_nodes(container):
            kind = local(element)
            if kind in EVENTS:
                size = (EVENT, EVENT)
            elif kind in GATEWAYS:
                size = (GATEWAY, GATEWAY)
            else:
                # A collapsed sub-process also draws its markers under its name: a little wider.
                size = (SUB_PROCESS_WIDTH if kind in SUB_PROCESSES else TASK_WIDTH, TASK_HEIGHT)
            self.nodes[element.get("id")] = Node(element, kind, *size)
        self.boundaries: dict[str, Node] = {}
        for element in container:
            if isinstance(element.tag, str) and local(element) == "boundaryEvent":
                host = self.nodes.get(element.get("attachedToRef"))
                if host is not None:
                    node = Node(element, "boundaryEvent", EVENT, EVENT)
                    self.boundaries[node.id] = node
                    host.boundaries.append(node)
        self.flows = [f for f in container.findall(q(BPMN_NS, "sequenceFlow"))
                      if f.get("sourceRef") in self.nodes.keys() | self.boundaries.keys()
                      and f.get("targetRef") in self.nodes]
        lane_set = container.find(q(BPMN_NS, "laneSet"))
        own_lanes = list(lane_set.iter(q(BPMN_NS, "lane"))) if container is not None and lane_set is not None else []
        if local(container) == "process":
            own = {lane.get("id") for lane in lane_of.values()}
            own_lanes = [lane for lane in container.iter(q(BPMN_NS, "lane")) if lane.get("id") in own
                         and lane.getparent().getparent() is container]
        member_of = {}
        for index, lane in enumerate(own_lanes):
            for ref in lane.findall(q(BPMN_NS, "flowNodeRef")):
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
    def _source_node(self, flow: etree._Element) -> Node:
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

    def _order(self) -> list[Node]:
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

    def _track_of(self, node: Node) -> int:
        if node.kind == "boundaryEvent":
            return self.nodes[node.element.get("attachedToRef")].track
        return node.track

    def _band_of(self, node: Node) -> int:
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
