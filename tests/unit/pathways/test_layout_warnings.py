"""Layout warnings read the diagram's DI: labels over labels, flows through steps, crowded boundary events."""

from __future__ import annotations

from pathlib import Path

from engine.pathways.folder import load_source
from engine.pathways.rules.layout import Box, layout_warnings

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="D" targetNamespace="x">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="Arrival" name="Begin" />
    <bpmn:userTask id="A" name="First" />
    <bpmn:userTask id="B" name="In the way" />
    <bpmn:endEvent id="Leaving" name="Done" />
    <bpmn:boundaryEvent id="T1" name="Late" attachedToRef="A"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="T2" name="Very late" attachedToRef="A"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Arrival" targetRef="A" />
    <bpmn:sequenceFlow id="F2" sourceRef="A" targetRef="Leaving" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="DI"><bpmndi:BPMNPlane id="Plane" bpmnElement="P">
    <bpmndi:BPMNShape id="S_Start" bpmnElement="Arrival"><dc:Bounds x="0" y="100" width="36" height="36" />
      <bpmndi:BPMNLabel><dc:Bounds x="0" y="140" width="40" height="14" /></bpmndi:BPMNLabel></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_A" bpmnElement="A"><dc:Bounds x="100" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_B" bpmnElement="B"><dc:Bounds x="300" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_End" bpmnElement="Leaving"><dc:Bounds x="500" y="100" width="36" height="36" />
      <bpmndi:BPMNLabel><dc:Bounds x="10" y="145" width="40" height="14" /></bpmndi:BPMNLabel></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_T1" bpmnElement="T1"><dc:Bounds x="120" y="140" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_T2" bpmnElement="T2"><dc:Bounds x="150" y="140" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="E_F1" bpmnElement="F1"><di:waypoint x="36" y="118" /><di:waypoint x="100" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="E_F2" bpmnElement="F2"><di:waypoint x="200" y="118" /><di:waypoint x="500" y="118" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def test_each_kind_of_layout_fault_is_found_once_on_the_element_to_move(tmp_path):
    path = tmp_path / "drawn.bpmn"
    path.write_bytes(DIAGRAM)
    found = {(w.rule, w.element_id) for w in layout_warnings(load_source(path))}
    assert found == {("layout.label_overlap", "Arrival"), ("layout.edge_through_shape", "F2"),
                     ("layout.boundary_crowded", "T2")}


def test_a_flow_touching_a_border_does_not_go_through():
    box = Box(100, 100, 100, 80)
    assert not box.crossed_by((0, 100), (300, 100))
    assert box.crossed_by((0, 140), (300, 140))
    assert not box.crossed_by((0, 0), (50, 50))


def test_the_cameroon_diagram_has_no_layout_warning():
    # The issue found labels over labels and timers 40 px apart; the diagram is now drawn by
    # engine.pathways.diagram_layout, one plane per sub-process.
    assert layout_warnings(load_source(CAMEROON)) == []
