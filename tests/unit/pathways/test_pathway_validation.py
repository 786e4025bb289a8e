"""Validation behaviours beyond one rule per fixture: all at once, across files, located, bounded."""

from __future__ import annotations

from pathlib import Path

from engine.pathways.folder import load_source
from engine.pathways.validation import Problem, review, validate
from pathway_fixtures import BROKEN, copied_mini, mini_folder  # noqa: F401 - pytest fixtures

CALLED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_Sub" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_Followup" name="Suivi" isExecutable="true">
    <bpmn:startEvent id="Sub_Start" name="Suivi commencé" />
    <bpmn:sequenceFlow id="Sub_Flow_1" sourceRef="Sub_Start" targetRef="Sub_End" />
    <bpmn:endEvent id="Sub_End" name="Suivi fini" />
  </bpmn:process>
</bpmn:definitions>
"""


def rules(problems: list[Problem]) -> list[str]:
    return sorted(p.rule for p in problems)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_problem_reads_as_one_line_with_file_line_element_and_message():
    problem = Problem("pathway.bpmn", 212, "Task_Ack", "Acknowledge receipt", 'timer "PT72" is not an ISO 8601 duration; write for example PT72H', "timer.invalid")
    assert str(problem) == "pathway.bpmn:212: Task_Ack 'Acknowledge receipt': timer \"PT72\" is not an ISO 8601 duration; write for example PT72H"


def test_control_characters_from_the_file_never_reach_the_terminal():
    problem = Problem("a.bpmn", 1, "T", "evil\x1b[31mred\nname", "bad\rthing", "x")
    assert "\x1b" not in str(problem) and "\n" not in str(problem) and "\r" not in str(problem)


def test_every_problem_is_reported_at_once(copied_mini: Path):
    bpmn = copied_mini / "pathway.bpmn"
    edit(bpmn, "PT72H", "PT72")
    edit(bpmn, 'targetRef="End_Referred"', 'targetRef="End_Gone"')
    edit(bpmn, 'type="long"', 'type="number"')
    assert rules(validate(load_source(copied_mini))) == ["flow.dangling", "form.unknown_type", "timer.invalid"]


def test_call_activity_may_call_a_process_in_another_file_of_the_folder(copied_mini: Path):
    edit(copied_mini / "pathway.bpmn", '<bpmn:userTask id="Task_Escalate" name="Relancer le prestataire" camunda:candidateGroups="supervisor">',
         '<bpmn:callActivity id="Task_Escalate" name="Relancer le prestataire" calledElement="Process_Followup">')
    edit(copied_mini / "pathway.bpmn", "</bpmn:userTask>\n    <bpmn:sequenceFlow id=\"Flow_5\"", "</bpmn:callActivity>\n    <bpmn:sequenceFlow id=\"Flow_5\"")
    (copied_mini / "followup.bpmn").write_text(CALLED, encoding="utf-8")
    edit(copied_mini / "i18n" / "en.yaml", "elements:\n", "elements:\n  Sub_Start: Follow-up started\n  Sub_End: Follow-up done\n  Process_Followup: Follow-up\n")
    assert [str(p) for p in validate(load_source(copied_mini))] == []
    edit(copied_mini / "followup.bpmn", 'isExecutable="true"', 'isExecutable="false"')
    assert rules(validate(load_source(copied_mini))) == ["call.not_executable"]
    (copied_mini / "followup.bpmn").unlink()
    assert rules(validate(load_source(copied_mini))) == ["call.missing"]


def test_the_called_process_is_checked_too(copied_mini: Path):
    (copied_mini / "followup.bpmn").write_text(CALLED.replace('<bpmn:endEvent id="Sub_End" name="Suivi fini" />', ""), encoding="utf-8")
    edit(copied_mini / "pathway.bpmn", '<bpmn:userTask id="Task_Escalate" name="Relancer le prestataire" camunda:candidateGroups="supervisor">',
         '<bpmn:callActivity id="Task_Escalate" name="Relancer le prestataire" calledElement="Process_Followup">')
    edit(copied_mini / "pathway.bpmn", "</bpmn:userTask>\n    <bpmn:sequenceFlow id=\"Flow_5\"", "</bpmn:callActivity>\n    <bpmn:sequenceFlow id=\"Flow_5\"")
    problems = review(load_source(copied_mini))
    assert any(p.rule == "flow.dangling" and p.file == "followup.bpmn" for p in problems)
    assert any(p.rule == "process.no_end" and p.file == "followup.bpmn" and p.is_warning for p in problems)


def test_missing_translation_names_the_language_file_and_the_key(copied_mini: Path):
    edit(copied_mini / "i18n" / "en.yaml", "  risk_level.high: High\n", "")
    edit(copied_mini / "i18n" / "en.yaml", "  Task_Refer: Refer to a provider\n", "")
    problems = validate(load_source(copied_mini))
    assert rules(problems) == ["label.missing", "label.missing"]
    messages = " | ".join(p.message for p in problems)
    assert "'risk_level.high: ...' under values:" in messages and "'Task_Refer: ...' under elements:" in messages


def test_service_task_must_name_a_registered_operation(copied_mini: Path):
    edit(copied_mini / "pathway.bpmn", '<bpmn:userTask id="Task_Refer" name="Référer vers un prestataire" camunda:candidateGroups="caseworker">',
         '<bpmn:serviceTask id="Task_Refer" name="Référer vers un prestataire" camunda:type="external" camunda:topic="send_referal">')
    edit(copied_mini / "pathway.bpmn", "</bpmn:userTask>\n    <bpmn:boundaryEvent", "</bpmn:serviceTask>\n    <bpmn:boundaryEvent")
    source = load_source(copied_mini)
    problems = validate(source, operations={"send_referral", "notify_provider"})
    assert rules(problems) == ["service.unknown_operation"]
    assert "send_referal" in problems[0].message and "send_referral" in problems[0].message
    assert validate(source, operations={"send_referal"}) == []


def test_loop_back_through_a_boundary_timer_is_a_loop(copied_mini: Path):
    edit(copied_mini / "pathway.bpmn", '<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Escalate" targetRef="End_Escalated" />',
         '<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Escalate" targetRef="Task_Refer" />')
    problems = [p for p in review(load_source(copied_mini)) if p.rule == "flow.loop"]
    assert [(p.element_id, p.severity) for p in problems] == [("Flow_5", "warning")]
    assert "at most 100 times" in problems[0].message


def test_process_key_chooses_among_several_executable_processes(tmp_path: Path):
    source_file = BROKEN / "process.several" / "two-executable.bpmn"
    (tmp_path / "pathway.bpmn").write_bytes(source_file.read_bytes())
    (tmp_path / "pathway.yaml").write_text("id: two\ntitle: Deux\nlanguages: [fr]\nprocess: Process_Other\n", encoding="utf-8")
    assert [str(p) for p in validate(load_source(tmp_path))] == []


def test_oversized_diagram_in_a_folder_is_refused_without_reading_it(copied_mini: Path):
    with open(copied_mini / "pathway.bpmn", "r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    problems = validate(load_source(copied_mini))
    assert "file.too_large" in rules(problems)


def test_external_entity_content_never_appears_in_problems(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    diagram = tmp_path / "xxe.bpmn"
    diagram.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="P" name="&x;"/></bpmn:definitions>\n',
        encoding="utf-8",
    )
    problems = validate(load_source(diagram))
    assert rules(problems) == ["xml.dtd"]
    assert all("TOP-SECRET" not in str(p) for p in problems)


def test_deeply_nested_xml_gives_a_problem_not_a_crash(tmp_path: Path):
    diagram = tmp_path / "deep.bpmn"
    diagram.write_text('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">' + "<a>" * 5000 + "</a>" * 5000 + "</bpmn:definitions>", encoding="utf-8")
    problems = validate(load_source(diagram))
    assert problems and all(p.message for p in problems)


def test_sub_processes_have_their_own_start_and_end(copied_mini: Path):
    edit(copied_mini / "pathway.bpmn", '<bpmn:userTask id="Task_Escalate" name="Relancer le prestataire" camunda:candidateGroups="supervisor">',
         '<bpmn:subProcess id="Task_Escalate" name="Relancer le prestataire"><bpmn:userTask id="Task_Call" name="Appeler" />')
    edit(copied_mini / "pathway.bpmn", "</bpmn:userTask>\n    <bpmn:sequenceFlow id=\"Flow_5\"", "</bpmn:subProcess>\n    <bpmn:sequenceFlow id=\"Flow_5\"")
    problems = [p for p in review(load_source(copied_mini)) if p.rule.startswith("process.")]
    assert sorted((p.rule, p.element_id, p.severity) for p in problems) == [
        ("process.no_end", "Task_Escalate", "warning"), ("process.no_start", "Task_Escalate", "error")]
    assert all("sub-process" in p.message for p in problems)


def test_a_condition_reading_a_variable_nothing_sets_is_a_warning_naming_the_flow_the_condition_and_the_variable(
        copied_mini: Path):
    bpmn = copied_mini / "pathway.bpmn"
    edit(bpmn, "${consent_given == true}", "${consent_givne == true}")
    found = [p for p in review(load_source(copied_mini)) if p.rule == "flow.unknown_variable"]
    assert [(p.element_id, p.is_warning) for p in found] == [("Flow_Yes", True)]
    assert found[0].message == (
        "the condition \"${consent_givne == true}\" of flow 'oui' reads 'consent_givne' (did you mean 'consent_given'?), "
        "which no form field, script or other step of this pathway sets; check the name, unless the value comes from "
        "outside the pathway")
    # A warning: the pathway can still be published.
    assert validate(load_source(copied_mini)) == []


def test_a_variable_a_script_or_a_multi_instance_sets_is_no_warning(copied_mini: Path):
    bpmn = copied_mini / "pathway.bpmn"
    edit(bpmn, "${consent_given == true}", "agreed and item")
    assert [p.message for p in review(load_source(copied_mini)) if p.rule == "flow.unknown_variable"] == [
        "the condition \"agreed and item\" of flow 'oui' reads 'agreed', which no form field, script or other step "
        "of this pathway sets; check the name, unless the value comes from outside the pathway",
        "the condition \"agreed and item\" of flow 'oui' reads 'item', which no form field, script or other step "
        "of this pathway sets; check the name, unless the value comes from outside the pathway"]
    edit(bpmn, '<bpmn:userTask id="Task_Refer" name="Référer vers un prestataire" camunda:candidateGroups="caseworker">',
         '<bpmn:userTask id="Task_Refer" name="Référer vers un prestataire" camunda:candidateGroups="caseworker">'
         '<bpmn:multiInstanceLoopCharacteristics camunda:collection="needs" camunda:elementVariable="item" />')
    edit(bpmn, '<bpmn:sequenceFlow id="Flow_No"',
         '<bpmn:scriptTask id="Task_Agree" name="Accord"><bpmn:script>agreed, other = consent_given, 1</bpmn:script>'
         '</bpmn:scriptTask><bpmn:sequenceFlow id="Flow_No"')
    assert [p for p in review(load_source(copied_mini)) if p.rule == "flow.unknown_variable"] == []
