"""Files drawn in other tools than ours (Camunda Modeler 4 and 5, bpmn.io, Signavio, Bizagi, Flowable, Activiti,
jBPM, Trisotech): accepted ones run to their end, refused ones say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.pathways.dialect import read_as_camunda
from engine.pathways.explore import explore
from engine.pathways.folder import load_source
from engine.pathways.forms import form_spec_from_bpmn
from engine.pathways.validation import review, validate
from pathway_fixtures import BROKEN, VALID

OTHER_TOOLS = VALID / "other-tools"
FLOWABLE = OTHER_TOOLS / "flowable-form-properties-no-diagram.bpmn20.xml"
TRISOTECH = OTHER_TOOLS / "trisotech-drawing-extension.bpmn"
ANSWER_FROM_ANOTHER_POOL = BROKEN / "event.message_never_sent" / "answer-from-another-pool.bpmn"


@pytest.mark.parametrize("path", sorted(OTHER_TOOLS.iterdir()), ids=lambda p: p.name)
def test_an_accepted_file_from_another_tool_runs_every_step_to_an_end(path: Path):
    result = explore(load_source(path), runs=4)
    assert [run.outcome for run in result.runs] == ["ended"] * 4, result.lines()
    assert not result.unreached, result.lines()


def test_form_properties_of_flowable_and_activiti_are_the_tasks_form_fields():
    root = etree.fromstring(FLOWABLE.read_bytes())
    read_as_camunda(root)
    task = root.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")
    (field,) = form_spec_from_bpmn(task).fields
    assert (field.id, field.type, field.label, field.required) == ("approved", "boolean", "Approuvé", True)


def test_data_objects_are_drawn_not_run_so_a_case_goes_past_the_step_that_writes_one():
    source = load_source(ANSWER_FROM_ANOTHER_POOL)
    assert not validate(source)
    run = explore(source, runs=1).runs[0]
    # Past Task_Send (which writes the data object) to the message no step sends.
    assert run.outcome == "stuck" and "waits at Event_Answer" in run.detail, run.detail


def test_a_message_a_step_of_the_pathway_sends_is_no_warning(tmp_path: Path):
    diagram = ANSWER_FROM_ANOTHER_POOL.read_text(encoding="utf-8").replace(
        '<bpmn:endEvent id="End_1" name="Référé"><bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:endEvent id="End_1" name="Référé"><bpmn:incoming>Flow_4</bpmn:incoming>'
        '<bpmn:messageEventDefinition id="Sent_1" messageRef="Message_Answer" /></bpmn:endEvent>')
    (tmp_path / "sent.bpmn").write_text(diagram, encoding="utf-8")
    assert not [p for p in review(load_source(tmp_path / "sent.bpmn")) if p.rule == "event.message_never_sent"]


def test_a_drawing_extension_is_not_checked_but_a_misplaced_one_is_named(tmp_path: Path):
    text = TRISOTECH.read_text(encoding="utf-8")
    assert "<di:extension><triso:diagramOptions/></di:extension>" in text
    misplaced = text.replace("<di:extension><triso:diagramOptions/></di:extension>", "").replace(
        'resolution="96.00000267028808">', 'resolution="96.00000267028808"><di:extension/>')
    (tmp_path / "misplaced.bpmn").write_text(misplaced, encoding="utf-8")
    (problem,) = validate(load_source(tmp_path / "misplaced.bpmn"))
    assert "element 'di:extension' is not allowed here; expected (bpmndi:BPMNPlane)" in problem.message
