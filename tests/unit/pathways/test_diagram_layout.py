"""The layout routine redraws a diagram for reading without touching what the pathway means."""

from __future__ import annotations

from itertools import combinations, pairwise
from pathlib import Path

from lxml import etree

from engine.pathways.diagram_layout import lay_out
from engine.pathways.rules.layout import Box

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm" / "pathway.bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"


def _semantics(root: etree._Element) -> list[tuple]:
    """Every model element with its attributes and text, lane sets of sub-processes aside."""
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN}}}"):
            continue
        if any(a.tag == f"{{{BPMN}}}laneSet" and a.getparent().tag != f"{{{BPMN}}}process"
               for a in [element, *element.iterancestors()]):
            continue
        found.append((element.tag, tuple(sorted(element.attrib.items())), (element.text or "").strip()))
    return found


def _planes(root: etree._Element) -> dict[str, etree._Element]:
    return {plane.get("bpmnElement"): plane for plane in root.iter(f"{{{BPMNDI}}}BPMNPlane")}


def test_the_shipped_cameroon_diagram_is_the_routine_drawing():
    shipped = CAMEROON.read_bytes()
    assert lay_out(shipped) == shipped, "run: python -m engine.pathways.diagram_layout " + str(CAMEROON.name)


def test_the_layout_changes_no_id_flow_or_property():
    before = etree.fromstring(CAMEROON.read_bytes())
    for diagram in before.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        before.remove(diagram)
    for lane_set in [s for s in before.iter(f"{{{BPMN}}}laneSet") if s.getparent().tag != f"{{{BPMN}}}process"]:
        lane_set.getparent().remove(lane_set)
    after = etree.fromstring(lay_out(etree.tostring(before)))
    assert _semantics(after) == _semantics(before)


def test_each_sub_process_is_collapsed_with_its_own_plane_and_lanes():
    root = etree.fromstring(CAMEROON.read_bytes())
    planes = _planes(root)
    sub_processes = [s.get("id") for s in root.iter(f"{{{BPMN}}}subProcess")]
    assert sorted(planes) == sorted(["Collaboration_CameroonNRM", *sub_processes])
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        if shape.get("bpmnElement") in sub_processes:
            assert shape.get("isExpanded") == "false"
    # Who does the step shows in every plane: the acknowledgement's lanes are the provider's,
    # the supervisor's and the coordination's, each holding its steps.
    acknowledgement = planes["SubProcess_Acknowledgement"]
    drawn = {s.get("bpmnElement"): _box(s) for s in acknowledgement.iter(f"{{{BPMNDI}}}BPMNShape")}
    lanes = {lane.get("name"): lane for lane in root.find(f".//{{{BPMN}}}subProcess[@id='SubProcess_Acknowledgement']")
             .iter(f"{{{BPMN}}}lane")}
    assert set(lanes) == {"Point focal du prestataire", "Superviseur", "Coordination MNR"}
    for lane in lanes.values():
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            assert _inside(drawn[ref.text], drawn[lane.get("id")]), (ref.text, lane.get("name"))
    assert _inside(drawn["Task_AckEscalation"], drawn["Lane_Coordinator_SubProcess_Acknowledgement"])


def test_no_label_lies_on_a_flow_and_the_acknowledgement_timers_stand_apart():
    root = etree.fromstring(CAMEROON.read_bytes())
    for plane in _planes(root).values():
        labels = [(item.get("bpmnElement"), _box(label)) for item in plane
                  for label in item.findall(f"{{{BPMNDI}}}BPMNLabel")]
        edges = [(edge.get("bpmnElement"), [(float(p.get("x")), float(p.get("y"))) for p in edge.iter(f"{{{DI}}}waypoint")])
                 for edge in plane.iter(f"{{{BPMNDI}}}BPMNEdge")]
        for owner, box in labels:
            for edge_id, points in edges:
                if edge_id != owner:
                    assert not any(box.crossed_by(a, b) for a, b in pairwise(points)), (owner, edge_id)
    ack = {s.get("bpmnElement"): _box(s) for s in _planes(root)["SubProcess_Acknowledgement"].iter(f"{{{BPMNDI}}}BPMNShape")}
    for first, second in combinations(("Timer_AckReminder", "Timer_AckAlert", "Timer_AckEscalation"), 2):
        (ax, ay), (bx, by) = ack[first].centre, ack[second].centre
        assert ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 >= 100


def _box(element: etree._Element) -> Box:
    bounds = element.find(f"{{{DC}}}Bounds")
    return Box(*(float(bounds.get(n)) for n in ("x", "y", "width", "height")))


def _inside(inner: Box, outer: Box) -> bool:
    return (outer.x <= inner.x and inner.x + inner.width <= outer.x + outer.width
            and outer.y <= inner.y and inner.y + inner.height <= outer.y + outer.height)
