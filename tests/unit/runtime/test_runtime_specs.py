"""Loading a pathway's files gives runnable specs, or one clear PathwayError."""

from __future__ import annotations

import pytest

from engine.errors import PathwayError
from engine.runtime.specs import load_specs

from runtime_cases import fixture_files

DANGLING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="dangling" isExecutable="true">
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_A" name="Do it">
      <bpmn:incoming>Flow_1</bpmn:incoming>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent" targetRef="Task_A" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_A" targetRef="Task_Missing" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_specs_name_the_main_process_and_its_called_processes():
    specs = load_specs(fixture_files("call_main.bpmn", "call_followup.bpmn"), main="call_main.bpmn")

    assert specs.process_id == "main_pathway"
    assert set(specs.subprocess_specs) == {"followup"}
    assert specs.files == ("call_followup.bpmn", "call_main.bpmn")


def test_identical_content_is_parsed_once():
    files = fixture_files("script_task.bpmn")

    assert load_specs(files, main="script_task.bpmn") is load_specs(dict(files), main="script_task.bpmn")


def test_changed_content_is_parsed_again():
    files = fixture_files("script_task.bpmn")
    changed = {"script_task.bpmn": files["script_task.bpmn"].replace(b"Carry on", b"Continue")}

    assert load_specs(files, main="script_task.bpmn") is not load_specs(changed, main="script_task.bpmn")


def test_malformed_xml_is_a_pathway_error_with_file_and_line():
    with pytest.raises(PathwayError, match=r"broken.bpmn \(line 2\): the file is not well-formed XML"):
        load_specs({"broken.bpmn": b"<?xml version='1.0'?>\n<bpmn:definitions"}, main="broken.bpmn")


def test_flow_to_a_missing_element_names_the_file_line_and_element():
    with pytest.raises(PathwayError) as raised:
        load_specs({"dangling.bpmn": DANGLING}, main="dangling.bpmn")

    error = raised.value
    assert str(error).startswith("dangling.bpmn (line 5), element 'Task_A' (Do it):")
    assert (error.file, error.line, error.element_id, error.element_name) == ("dangling.bpmn", 5, "Task_A", "Do it")


def test_a_missing_main_file_is_a_pathway_error():
    with pytest.raises(PathwayError, match='main file "pathway.bpmn" is not part'):
        load_specs(fixture_files("script_task.bpmn"), main="pathway.bpmn")


def test_a_business_rule_task_without_its_decision_is_a_pathway_error():
    with pytest.raises(PathwayError, match="priority_decision"):
        load_specs(fixture_files("dmn_task.bpmn"), main="dmn_task.bpmn")


def test_entities_are_refused():
    evil = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>'

    with pytest.raises(PathwayError, match="DTD or entities"):
        load_specs({"evil.bpmn": evil}, main="evil.bpmn")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("script_task.bpmn", b'isExecutable="true"', b'isExecutable="false"', "no executable process"),
        (
            "multi_instance.bpmn",
            b' camunda:elementVariable="need"',
            b"",
            "element 'Sub_Referral'.*needs camunda:elementVariable",
        ),
        (
            "timer_cycle.bpmn",
            b'id="Timer_Remind"',
            b'id="StartEvent"',
            r"timer_cycle.bpmn \(line \d+\), element 'StartEvent'.*used by another element",
        ),
    ],
    ids=["not_executable", "collection_without_variable", "repeated_id"],
)
def test_diagrams_that_would_break_the_library_are_refused_with_their_place(name, old, new, expected):
    files = fixture_files(name)
    files[name] = files[name].replace(old, new)

    with pytest.raises(PathwayError, match=expected):
        load_specs(files, main=name)
