"""Layout warnings: what makes a drawn diagram hard to read, from its DI (shapes, labels, edges).

These never stop a pathway from being published, and are off for files drawn elsewhere: an author
asks for them (the draft page's *Check the layout*, or `layout_warnings: true` in pathway.yaml).

- `layout.label_overlap`: two labels printed over each other;
- `layout.edge_through_shape`: a flow drawn across a step, event or gateway it does not connect;
- `layout.boundary_crowded`: two events on the border of one step so close their symbols touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from lxml import etree

from engine.pathways.documents import BPMN_NS, Document, local, name_of, read_documents
from engine.pathways.folder import PathwaySource

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
# Flow nodes an edge must go around; containers (sub-processes drawn open, lanes, pools) are crossed.
SOLID = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
         "receiveTask", "callActivity", "startEvent", "endEvent", "intermediateCatchEvent",
         "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
         "eventBasedGateway", "complexGateway"}
CROWDED = 48.0  # px between two boundary events' centres: their symbols are 36 px wide, their labels need room
MARGIN = 2.0  # px: an edge touching a shape's border does not go through it


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in diagram coordinates."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share more than a border."""
        return (min(self.x + self.width, other.x + other.width) - max(self.x, other.x) > MARGIN
                and min(self.y + self.height, other.y + other.height) - max(self.y, other.y) > MARGIN)

    def crossed_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """True when the segment a-b passes through the box's interior (Liang-Barsky clipping)."""
        x0, y0, x1, y1 = self.x + MARGIN, self.y + MARGIN, self.x + self.width - MARGIN, self.y + self.height - MARGIN
        if x1 <= x0 or y1 <= y0:
            return False
        dx, dy = b[0] - a[0], b[1] - a[1]
        low, high = 0.0, 1.0
        for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return high - low > 1e-6

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


def layout_warnings(source: PathwaySource) -> list:
    """Every layout warning of the pathway's diagrams (never a reason to refuse publishing)."""
    documents = read_documents(source.files, [])
    return [warning for document in documents for warning in check_layout(document)]


def check_layout(document: Document) -> list:
    """Every layout warning of one BPMN file, plane by plane."""
    if document.kind != "bpmn":
        return []
    found = []
    for plane in document.root.iter(f"{{{BPMNDI_NS}}}BPMNPlane"):
        found += _check_plane(document, plane)
    return found


def _check_plane(document: Document, plane: etree._Element) -> list:
    shapes: dict[str, Box] = {}
    labels: list[tuple[str, Box]] = []
    edges: list[tuple[str, list[tuple[float, float]]]] = []
    for item in plane:
        element_id = item.get("bpmnElement") or ""
        if item.tag == f"{{{BPMNDI_NS}}}BPMNShape":
            bounds = _bounds(item.find(f"{{{DC_NS}}}Bounds"))
            if bounds is not None:
                shapes[element_id] = bounds
            label = item.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
            if label is not None and _bounds(label) is not None and _has_text(document, element_id):
                labels.append((element_id, _bounds(label)))
        elif item.tag == f"{{{BPMNDI_NS}}}BPMNEdge":
            points = [(float(p.get("x", 0)), float(p.get("y", 0))) for p in item.findall(f"{{{DI_NS}}}waypoint")]
            edges.append((element_id, points))
            label = item.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
            if label is not None and _bounds(label) is not None and _has_text(document, element_id):
                labels.append((element_id, _bounds(label)))
    found = []
    for (first, box), (second, other) in combinations(labels, 2):
        if box.overlaps(other):
            found.append(_warning(document, first, "layout.label_overlap",
                                  f"its label is printed over the label of {second}; move one of them"))
    solid = {i: b for i, b in shapes.items() if local(document.by_id.get(i, etree.Element("x"))) in SOLID}
    for edge_id, points in edges:
        flow = document.by_id.get(edge_id)
        ends = {flow.get("sourceRef"), flow.get("targetRef")} if flow is not None else set()
        crossed = [i for i, b in solid.items() if i not in ends and i not in _attached(document, ends)
                   and any(b.crossed_by(a, c) for a, c in zip(points, points[1:]))]
        for shape_id in crossed[:3]:
            found.append(_warning(document, edge_id, "layout.edge_through_shape",
                                  f"the flow is drawn through {shape_id}; route it around"))
    for activity, events in _boundary_events(document, shapes).items():
        for (first, box), (second, other) in combinations(events, 2):
            (ax, ay), (bx, by) = box.centre, other.centre
            if ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 < CROWDED:
                found.append(_warning(document, second, "layout.boundary_crowded",
                                      f"it sits too close to {first} on the border of {activity}; space them out"))
    return found


def _bounds(element: etree._Element | None) -> Box | None:
    if element is None:
        return None
    try:
        return Box(*(float(element.get(name, "x")) for name in ("x", "y", "width", "height")))
    except ValueError:
        return None


def _has_text(document: Document, element_id: str) -> bool:
    element = document.by_id.get(element_id)
    return element is not None and bool(name_of(element))


def _attached(document: Document, ends: set) -> set[str]:
    # A flow leaving a boundary event starts on its step's border: crossing that step is not a fault.
    steps = set()
    for end in ends:
        element = document.by_id.get(end) if end else None
        if element is not None and element.get("attachedToRef"):
            steps.add(element.get("attachedToRef"))
    return steps


def _boundary_events(document: Document, shapes: dict[str, Box]) -> dict[str, list[tuple[str, Box]]]:
    found: dict[str, list[tuple[str, Box]]] = {}
    for element in document.root.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        if element.get("id") in shapes and element.get("attachedToRef"):
            found.setdefault(element.get("attachedToRef"), []).append((element.get("id"), shapes[element.get("id")]))
    return found


def _warning(document: Document, element_id: str, rule: str, message: str):
    return document.problem(document.by_id.get(element_id), rule, message)
