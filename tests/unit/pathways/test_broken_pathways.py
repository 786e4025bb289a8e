"""Every broken pathway in tests/fixtures/broken is reported with its rule, file, line and element."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.pathways.validation import review, validate
from pathway_fixtures import BROKEN


@dataclass(frozen=True)
class Expected:
    """What the validator must say about one broken pathway."""

    file: str
    element_id: str | None
    words: tuple[str, ...]
    line: int | None = None  # when None: the line where element_id is defined in the file
    warning: bool = False  # Camunda 7 runs it: a warning that lets the pathway be published


EXPECTED = {
    "xml.malformed/garbage.bpmn": Expected("garbage.bpmn", None, ("not UTF-8",)),
    "xml.malformed/unclosed-tag.bpmn": Expected("unclosed-tag.bpmn", None, ("not well-formed", "endEvent"), 9),
    "xml.malformed/utf16-without-declaration.bpmn": Expected("utf16-without-declaration.bpmn", None, ("UTF-16",)),
    "xml.empty/empty.bpmn": Expected("empty.bpmn", None, ("empty",)),
    "xml.dtd/external-entity.bpmn": Expected("external-entity.bpmn", None, ("DTD", "remove"), 2),
    "xml.dtd/billion-laughs.bpmn": Expected("billion-laughs.bpmn", None, ("DTD", "remove"), 2),
    "bpmn.not_bpmn/drawing.bpmn": Expected("drawing.bpmn", None, ("not a BPMN 2.0 diagram", "<svg>"), 2),
    "bpmn.not_bpmn/decision-table.bpmn": Expected("decision-table.bpmn", None, ("DMN", ".dmn"), 2),
    "bpmn.not_bpmn/other-xml.bpmn": Expected("other-xml.bpmn", None, ("without a namespace",), 2),
    "bpmn.schema/misspelt-element.bpmn": Expected("misspelt-element.bpmn", "Task_Typo", ("bpmn:userTsk", "not allowed here")),
    "process.none/not-executable.bpmn": Expected("not-executable.bpmn", "Process_Referral", ('isExecutable="true"',)),
    "process.none/collaboration-only.bpmn": Expected("collaboration-only.bpmn", "Collaboration_1", ("only a collaboration",)),
    "process.none/signavio-export.bpmn": Expected("signavio-export.bpmn", "sid-a1b2", ('isExecutable="true"',)),
    "process.none/bizagi-collaboration.bpmn": Expected("bizagi-collaboration.bpmn", "Process_bz", ('isExecutable="true"',)),
    "process.none/bpmnio-demo.bpmn": Expected("bpmnio-demo.bpmn", "Process_1", ('isExecutable="true"',)),
    "process.several/two-executable.bpmn": Expected("two-executable.bpmn", "Process_Other", ("2 executable processes", "process:"), warning=True),
    "process.no_start/no-start.bpmn": Expected("no-start.bpmn", "Process_Referral", ("no start event",)),
    "process.no_end/no-end.bpmn": Expected("no-end.bpmn", "Process_Referral", ("no end event",), warning=True),
    "id.duplicate/same-id-twice.bpmn": Expected("same-id-twice.bpmn", "Task_Assess", ("already used on line 6",), 9),
    "flow.dangling/target-missing.bpmn": Expected("target-missing.bpmn", "Flow_2", ("EndEvent_Gone", "does not exist")),
    "flow.dangling/bpmn2-prefix.bpmn": Expected("bpmn2-prefix.bpmn", "SequenceFlow_2", ("EndEvent_9", "does not exist")),
    "flow.duplicate/same-arrow-twice.bpmn": Expected("same-arrow-twice.bpmn", "Flow_2b", ("repeats Flow_2",), warning=True),
    "task.several_outgoing/implicit-split.bpmn": Expected("implicit-split.bpmn", "Task_Assess", ("2 outgoing flows", "gateway"), warning=True),
    "gateway.unconditional_branch/no-condition-no-default.bpmn": Expected("no-condition-no-default.bpmn", "Flow_No", ("no condition", "default"), warning=True),
    "gateway.default_with_condition/default-has-condition.bpmn": Expected("default-has-condition.bpmn", "Flow_No", ("must not have a condition",)),
    "gateway.bad_default/default-not-outgoing.bpmn": Expected("default-not-outgoing.bpmn", "Gateway_Consent", ("Flow_2", "not one of")),
    "flow.loop/retry-drawn-with-gateway.bpmn": Expected("retry-drawn-with-gateway.bpmn", "Flow_No", ("loop", "loop marker"), warning=True),
    "timer.empty/empty-duration.bpmn": Expected("empty-duration.bpmn", "Timer_Ack", ("no time", "PT72H")),
    "timer.invalid/duration-without-unit.bpmn": Expected("duration-without-unit.bpmn", "Timer_Ack", ('"PT72"', "PT72H"), 9),
    "timer.cron/cron-cycle.bpmn": Expected("cron-cycle.bpmn", "Timer_Ack", ("cron", "Africa/Douala"), 9, warning=True),
    "event.bad_reference/prefixed-message-ref.bpmn": Expected("prefixed-message-ref.bpmn", "StartEvent_1", ("tns:Message_Referral", 'messageRef="Message_Referral"')),
    "timer.invalid/due-date.bpmn": Expected("due-date.bpmn", "Task_Assess", ("dueDate", "3 days")),
    "expression.invalid/import-in-condition.bpmn": Expected("import-in-condition.bpmn", "Flow_Yes", ("__import__",), 10),
    "expression.invalid/completion-condition.bpmn": Expected("completion-condition.bpmn", "Task_Assess", ("completion condition", "__subclasses__"), 8),
    "script.invalid/import-in-script.bpmn": Expected("import-in-script.bpmn", "Task_Score", ("import",), 7),
    "event.dangling_boundary/attached-to-nothing.bpmn": Expected("attached-to-nothing.bpmn", "Timer_Ack", ("Task_Gone",)),
    "unsupported.java/java-class.bpmn": Expected("java-class.bpmn", "Task_Notify", ("Java delegates are not run", 'camunda:type="external"', "registered operation")),
    "form.unknown_type/text-area.bpmn": Expected("text-area.bpmn", "Task_Identify", ("'story'", "textarea", "string, long, boolean, date, enum"), 10),
    "form.enum_empty/enum-without-values.bpmn": Expected("enum-without-values.bpmn", "Task_Identify", ("'risk_level'", "no values", "stay empty"), 10, warning=True),
    "form.enum_empty/required-enum-without-values.bpmn": Expected("required-enum-without-values.bpmn", "Task_Identify", ("'risk_level'", "needs values", "nobody could fill it"), 10),
    "form.duplicate_field/same-field-twice.bpmn": Expected("same-field-twice.bpmn", "Task_Identify", ("'full_name'", "used twice"), 10),
    # ${currentUser} without its brackets: Camunda would fail on it, this engine leaves the field empty.
    "form.expression_default/current-user-without-brackets.bpmn": Expected("current-user-without-brackets.bpmn", "Task_Acknowledge", ("'acknowledged_by'", "'${currentUser}'", "starts empty", "${currentUser()}", "${today()}"), 9, warning=True),
    "form.bad_constraint/min-not-a-number.bpmn": Expected("min-not-a-number.bpmn", "Task_Identify", ("'age'", "min='abc'", "whole number"), 10),
    "form.referral_field_missing/decision-field-renamed.bpmn": Expected("decision-field-renamed.bpmn", "Task_Decide", ("no field 'decision'", "decision (accepted, declined or redirected)", "aiguillage.decision_field")),
    "form.referral_field_missing/outcome-and-unmet-fields-renamed.bpmn": Expected("outcome-and-unmet-fields-renamed.bpmn", "Task_Outcome", ("no field 'service_delivered'", "whether the service was delivered", "aiguillage.service_delivered_field")),
    # Drawn the Camunda way: the follow-up a timer opens for the coordinator is an escalation task, unmarked.
    "form.referral_field_missing/escalation-drawn-with-timer.bpmn": Expected("escalation-drawn-with-timer.bpmn", "Task_FollowUp", ("aiguillage.escalation_note_field", "'follow_up_note'", "no field of this step's form", "the note on the escalation")),
    "form.referral_field_type/outcome-and-unmet-fields-mistyped.bpmn": Expected("outcome-and-unmet-fields-mistyped.bpmn", "Task_Outcome", ("'service_delivered'", "of type string", "make it a boolean field")),
    "form.referral_field_type/consent-fields-mistyped.bpmn": Expected("consent-fields-mistyped.bpmn", "Task_Consent", ("'consent_given'", "whether consent was given", "make it a boolean field")),
    "form.rule_unknown_field/required-when-misspelt.bpmn": Expected("required-when-misspelt.bpmn", "Task_Decide", ("'decline_reason'", "aiguillage.required_when", "'decisoin'", "did you mean 'decision'"), 13),
    "form.rule_unknown_field/default-from-nowhere.bpmn": Expected("default-from-nowhere.bpmn", "Task_Assess", ("'health_urgency'", "aiguillage.default_from", "'priorty'", "did you mean 'priority'"), 20),
    "label.missing/unnamed-user-task.bpmn": Expected("unnamed-user-task.bpmn", "Task_Assess", ("no name",), warning=True),
    "label.missing/english-label-missing": Expected("pathway.bpmn", "Task_Assess", ("English", "i18n/en.yaml", "Task_Assess: ...")),
    "label.missing_file/no-english-file": Expected("pathway.yaml", None, ("i18n/en.yaml",)),
    "call.missing/called-process-absent.bpmn": Expected("called-process-absent.bpmn", "Call_Referral", ("Process_Referral_Sub",)),
    "dmn.missing/decision-absent.bpmn": Expected("decision-absent.bpmn", "Task_Priority", ("priority_decision", ".dmn")),
    "dmn.not_dmn/dmn-1-5": Expected("priority.dmn", None, ("DMN 1.5", "DMN 1.3"), 2),
    "dmn.cell/escape-in-output-cell": Expected("priority.dmn", "priority_decision", ("rule 2", "output column 1", "__import__"), 24),
    "metadata.missing_key/no-languages": Expected("pathway.yaml", None, ("languages",)),
    "metadata.bad_id/spaces-in-id": Expected("pathway.yaml", None, ("Referral Check", "lowercase")),
    "yaml.invalid/broken-scenario": Expected("scenarios/happy.yaml", None, ("not valid YAML",), 5),
    "yaml.invalid/alias-bomb": Expected("i18n/en.yaml", None, ("aliases",)),
    "loop.no_collection/multi-instance-without-collection.bpmn": Expected("multi-instance-without-collection.bpmn", "Task_Assess", ("Collection", "Loop cardinality")),
    "loop.unbounded/loop-without-maximum.bpmn": Expected("loop-without-maximum.bpmn", "Task_Assess", ("loopMaximum",)),
    "dmn.unsupported/literal-expression-decision": Expected("priority.dmn", "priority_decision", ("literalExpression", "decision table")),
    "event.message_never_sent/answer-from-another-pool.bpmn": Expected("answer-from-another-pool.bpmn", "Event_Answer", ("'answer'", "no step of this pathway sends", "user task where a person records the answer"), warning=True),
    "unsupported.foreign/jbpm-human-task.bpmn2": Expected("jbpm-human-task.bpmn2", "_Task_Approve", ("bpmn:potentialOwner", "jBPM/Kogito", "candidate groups")),
    "id.reserved/reserved-start-id.bpmn": Expected("reserved-start-id.bpmn", "Start_1", ("reserved", "'Start'", "'Start_1'"), 4, warning=True),
}


def _cases() -> list[str]:
    return sorted(f"{rule.name}/{case.name}" for rule in BROKEN.iterdir() for case in rule.iterdir())


def test_every_broken_fixture_has_an_expectation_and_every_expectation_a_fixture():
    assert _cases() == sorted(EXPECTED)


def _definition_line(path: Path, element_id: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if f'id="{element_id}"' in line:
            return number
    raise AssertionError(f"{element_id} not in {path}")


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_pathway_is_reported_with_rule_file_line_element_and_advice(case: str):
    rule = case.split("/")[0]
    expected = EXPECTED[case]
    path = BROKEN / case
    problems = review(load_source(path))
    matching = [p for p in problems if p.rule == rule]
    assert matching, f"no {rule} among: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.is_warning == expected.warning, str(problem)
    if expected.warning:
        assert not validate(load_source(path)), "a warning alone must not stop publishing"
    assert problem.file == expected.file
    assert problem.element_id == expected.element_id
    source_file = path / expected.file if path.is_dir() else path
    line = expected.line if expected.line or not expected.element_id else _definition_line(source_file, expected.element_id)
    assert problem.line == line, str(problem)
    for word in expected.words:
        assert word in problem.message, str(problem)
    text = str(problem)
    assert text.startswith(expected.file) and "\n" not in text
