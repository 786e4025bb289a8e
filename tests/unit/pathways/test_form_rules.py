"""Rules a pathway declares on its form fields: required when another field has a value, a default
carried from an earlier step, values the history keeps; and their check at validation time."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidData
from engine.pathways.folder import load_source
from engine.pathways.form_check import clean_form_data
from engine.pathways.form_rules import DEFAULT_FROM, HISTORY, REQUIRED_WHEN, keeps_value
from engine.pathways.forms import EnumValue, FieldSpec, FormSpec, load_form
from engine.pathways.rules.form_rules import check_form_rules
from engine.pathways.documents import read_documents

URGENCY = tuple(EnumValue(level, level) for level in ("emergency", "urgent", "normal"))


def decision_form() -> FormSpec:
    return FormSpec("Task_Decide", None, (
        FieldSpec("decision", "enum", values=(EnumValue("accepted", None), EnumValue("declined", None), EnumValue("redirected", None)),
                  constraints={"required": None}),
        FieldSpec("decline_reason", "enum", values=(EnumValue("no_capacity", None), EnumValue("other", None)),
                  properties={REQUIRED_WHEN: "decision == 'declined'"}),
        FieldSpec("redirect_to", "string", properties={REQUIRED_WHEN: "${decision == 'redirected'}"}),
    ))


def needs_form() -> FormSpec:
    return FormSpec("Task_Needs", None, (
        FieldSpec("need_health", "boolean", properties={DEFAULT_FROM: "vuln_medical"}),
        FieldSpec("health_urgency", "enum", values=URGENCY,
                  properties={REQUIRED_WHEN: "need_health", DEFAULT_FROM: "priority"}),
    ))


def problems_of(form, data, context=None) -> dict[str, list[str]]:
    with pytest.raises(InvalidData) as raised:
        clean_form_data(form, data, context)
    return {name: [p.code for p in found] for name, found in raised.value.errors.items()}


def test_a_decline_needs_its_reason_and_a_redirect_its_provider():
    form = decision_form()
    assert problems_of(form, {"decision": "declined"}) == {"decline_reason": ["required"]}
    assert problems_of(form, {"decision": "redirected", "redirect_to": "  "}) == {"redirect_to": ["required"]}
    assert clean_form_data(form, {"decision": "declined", "decline_reason": "other"})["decline_reason"] == "other"
    assert clean_form_data(form, {"decision": "accepted"}) == {"decision": "accepted", "decline_reason": None, "redirect_to": None}


def test_a_condition_never_reads_a_refused_field_nor_an_earlier_turns_value():
    form = decision_form()
    # The decision itself is wrong: that is the one problem, whatever the case held from a previous turn.
    assert problems_of(form, {"decision": "maybe"}, {"decision": "declined"}) == {"decision": ["not_a_choice"]}
    assert problems_of(form, {}, {"decision": "declined"}) == {"decision": ["required"]}


def test_an_urgency_is_required_for_a_ticked_need_unless_the_case_priority_gives_it():
    form = needs_form()
    assert problems_of(form, {"need_health": True}) == {"health_urgency": ["required"]}
    # An urgent case: the need takes the case's priority, not "normal".
    cleaned = clean_form_data(form, {"need_health": True}, {"priority": "urgent"})
    assert cleaned == {"need_health": True, "health_urgency": "urgent"}
    # What the person chooses wins over what is carried.
    assert clean_form_data(form, {"need_health": True, "health_urgency": "normal"}, {"priority": "urgent"})["health_urgency"] == "normal"
    # A value the field does not accept is not carried: the rule asks the person instead.
    assert problems_of(form, {"need_health": True}, {"priority": "whenever"}) == {"health_urgency": ["required"]}


def test_a_vulnerability_seen_at_identification_is_carried_into_the_needs():
    form = needs_form()
    cleaned = clean_form_data(form, {}, {"vuln_medical": True, "priority": "emergency"})
    assert cleaned == {"need_health": True, "health_urgency": "emergency"}
    # The person may still say no.
    assert clean_form_data(form, {"need_health": "false"}, {"vuln_medical": True})["need_health"] is False
    assert clean_form_data(form, {}, {"vuln_medical": False}) == {"need_health": False, "health_urgency": None}


def test_the_history_keeps_only_the_values_marked_keep_and_never_a_sensitive_one():
    assert keeps_value(FieldSpec("decision", "enum", properties={HISTORY: "keep"}))
    assert not keeps_value(FieldSpec("note", "string", properties={HISTORY: "keep", "sensitive": "true"}))
    assert not keeps_value(FieldSpec("age", "long"))


def _problems(fields: str) -> list:
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="S" />
    <bpmn:userTask id="Task_A" name="A"><bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>"""
    documents = read_documents({"one.bpmn": bpmn.encode()}, [])
    return check_form_rules(documents, {"P"})


def _field(field_id: str, rules: dict[str, str], extra: str = "") -> str:
    properties = "".join(f'<camunda:property id="{k}" value="{v}" />' for k, v in rules.items())
    return f'<camunda:formField id="{field_id}" type="string"><camunda:properties>{properties}</camunda:properties>{extra}</camunda:formField>'


@pytest.mark.parametrize(("rules", "rule", "words"), [
    ({REQUIRED_WHEN: "decision =="}, "form.rule_invalid", ("aiguillage.required_when",)),
    ({REQUIRED_WHEN: "__import__('os')"}, "form.rule_invalid", ("aiguillage.required_when",)),
    ({REQUIRED_WHEN: ""}, "form.rule_invalid", ("empty",)),
    ({REQUIRED_WHEN: "colour == 'red'"}, "form.rule_unknown_field", ("'colour'", "not a field of this form")),
    ({DEFAULT_FROM: "decision"}, "form.rule_unknown_field", ("its own id",)),
    ({DEFAULT_FROM: "a b"}, "form.rule_invalid", ("one field",)),
    ({HISTORY: "yes"}, "form.rule_invalid", ("keep",)),
    ({HISTORY: "keep", "sensitive": "true"}, "form.rule_invalid", ("sensitive",)),
])
def test_a_rule_that_cannot_work_is_refused_at_validation(rules, rule, words):
    problems = _problems(_field("decision", rules) + '<camunda:formField id="other" type="string" />')
    assert [p.rule for p in problems] == [rule], [str(p) for p in problems]
    assert problems[0].element_id == "Task_A" and problems[0].line == 5
    for word in words:
        assert word in problems[0].message, problems[0].message


def test_rules_naming_real_fields_are_accepted():
    fields = _field("decision", {HISTORY: "keep"}) + _field("reason", {REQUIRED_WHEN: "decision == 'declined' and not is_empty(decision)"}) \
        + _field("copy", {DEFAULT_FROM: "decision"})
    assert _problems(fields) == []


def test_the_cameroon_pathway_declares_its_decisions_and_conditions():
    source = load_source(Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm")
    decision = load_form(source.files, "Task_ReferralDecision")
    assert {f.id for f in decision.fields if keeps_value(f)} == {"decision", "decline_reason"}
    assert problems_of(decision, {"decision": "declined"}) == {"decline_reason": ["required"]}
    assessment = load_form(source.files, "Task_NeedsAssessment")
    cleaned = clean_form_data(assessment, {"assessment_date": "2026-03-02"}, {"priority": "urgent", "vuln_medical": True})
    assert cleaned["need_health"] is True and cleaned["health_urgency"] == "urgent"


def test_no_answer_takes_a_conditional_field_off_the_page():
    from engine.pathways.form_check import fields_that_apply

    # The urgency reads the need on the same form, which can still change there: "no" keeps it on the
    # page as unknown does (not required yet); "yes" makes it apply.
    assert fields_that_apply(needs_form(), {"need_health": "false"}, {})["health_urgency"] is None
    assert fields_that_apply(needs_form(), None, {})["health_urgency"] is None
    assert fields_that_apply(needs_form(), {"need_health": "true"}, {})["health_urgency"] is True
    # A reason required only from the fifth attempt on (a count the case keeps): an ordinary optional field before.
    form = FormSpec("Task_ReReferral", None, (
        FieldSpec("orientation_turn", "long", constraints={"readonly": None}),
        FieldSpec("unmet_reason", "enum", values=(EnumValue("no_provider", None),),
                  properties={REQUIRED_WHEN: "orientation_turn >= 5"}),
    ))
    assert fields_that_apply(form, None, {"orientation_turn": 1})["unmet_reason"] is False
    assert fields_that_apply(form, None, {"orientation_turn": 5})["unmet_reason"] is True
