"""A decide step names the fields of its form that carry the decision, the decline reason and the appointment
(`engine.pathways.referral_fields`): validation refuses a name that is no field of the form, a decision option
the engine cannot act on and an appointment that is no date, naming the step and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.pathways.referral_fields import DEFAULT_FIELDS, DecisionFields, decision_fields
from engine.pathways.validation import validate
from pathway_fixtures import VALID

OWN_FIELDS = VALID / "own-decision-fields"
DECLARED = ('<camunda:property name="aiguillage.decision_field" value="verdict" />\n'
            '          <camunda:property name="aiguillage.decline_reason_field" value="why_not" />\n'
            '          <camunda:property name="aiguillage.appointment_field" value="first_visit" />')


@pytest.fixture
def edit(tmp_path: Path):
    folder = tmp_path / "own-decision-fields"
    shutil.copytree(OWN_FIELDS, folder)
    diagram = folder / "pathway.bpmn"

    def edit(old: str, new: str) -> list:
        text = diagram.read_text(encoding="utf-8")
        assert old in text
        diagram.write_text(text.replace(old, new), encoding="utf-8")
        return [(p.rule, p.element_id, p.message) for p in validate(load_source(folder))]
    return edit


def test_without_properties_the_fields_keep_todays_names():
    assert decision_fields({}) == DecisionFields("decision", "decline_reason", "appointment_date") == DEFAULT_FIELDS
    assert decision_fields({"aiguillage.decision_field": " verdict ", "aiguillage.appointment_field": ""}) == (
        DecisionFields("verdict", "decline_reason", "appointment_date"))


def test_a_decision_field_that_is_not_in_the_form_is_refused_naming_the_step_and_the_field(edit):
    [problem] = edit('value="verdict" />\n', 'value="verdickt" />\n')
    assert problem[:2] == ("form.referral_field_missing", "Task_Answer")
    assert "no field 'verdickt' to hold the decision" in problem[2] and "aiguillage.decision_field" in problem[2]


def test_without_a_declared_decision_field_the_form_needs_one_called_decision(edit):
    edit(DECLARED, "")
    # The other two take their default names, which this form does not have either: only the decision is needed.
    problems = edit('<camunda:formField id="why_not"', '<camunda:formField id="decline_reason"')
    assert [(rule, element) for rule, element, _ in problems] == [("form.referral_field_missing", "Task_Answer")]
    assert "no field 'decision'" in problems[0][2]


def test_a_declared_reason_or_appointment_field_missing_from_the_form_is_refused(edit):
    problems = edit('value="why_not" />', 'value="reason" />')
    assert [(rule, element) for rule, element, _ in problems] == [("form.referral_field_missing", "Task_Answer")]
    assert problems[0][2].startswith("aiguillage.decline_reason_field names 'reason', which is no field of this step's form")
    problems = edit('value="first_visit" />', 'value="visit" />')
    assert ("form.referral_field_missing", "Task_Answer",
            "aiguillage.appointment_field names 'visit', which is no field of this step's form; name the form field "
            "that holds the appointment's date") in problems


def test_a_decision_option_the_engine_cannot_act_on_and_an_appointment_that_is_no_date_are_refused(edit):
    problems = edit('<camunda:value id="redirected" name="Sent elsewhere" />', '<camunda:value id="later" name="Later" />')
    assert [(rule, element) for rule, element, _ in problems] == [("form.referral_field_type", "Task_Answer")]
    assert problems[0][2].startswith(
        "field 'verdict' holds the decision, but its option 'later' is none of accepted, declined, redirected, so")
    problems = edit('id="first_visit" label="First visit" type="date"', 'id="first_visit" label="First visit" type="string"')
    assert ("form.referral_field_type", "Task_Answer",
            "field 'first_visit' holds the appointment's date, but it is of type string; make it a date field") in problems
