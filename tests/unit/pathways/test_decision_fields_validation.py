"""A decide step names the fields of its form that carry the decision, the decline reason and the appointment,
an outcome step those saying whether the service was delivered and how, an unmet step those saying why the need is
left unmet and a note on it (`engine.pathways.step_fields`): validation refuses a name that is no field of the
form, an option the engine cannot act on and a field of another type than the engine reads, naming the step and
the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.pathways.step_fields import (
    AcknowledgementFields, DEFAULT_FIELDS, DecisionFields, OutcomeFields, UnmetFields, decision_fields, step_fields,
)
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


OUTCOME_DECLARED = ('<camunda:property name="aiguillage.service_delivered_field" value="served" />\n'
                    '          <camunda:property name="aiguillage.outcome_note_field" value="how_it_went" />')
UNMET_DECLARED = ('<camunda:property name="aiguillage.unmet_reason_field" value="gap_reason" />\n'
                  '          <camunda:property name="aiguillage.unmet_note_field" value="gap_note" />')


def test_outcome_and_unmet_steps_without_properties_keep_todays_names():
    assert step_fields("outcome", {}) == OutcomeFields("service_delivered", "outcome_note")
    assert step_fields("unmet", {"aiguillage.unmet_note_field": " about "}) == UnmetFields("unmet_reason", "about")
    assert step_fields("acknowledge", {"aiguillage.acknowledged_on_field": "received_on"}) == AcknowledgementFields(
        "acknowledged_by", "received_on")
    assert step_fields("expire", {}) is None
    # The API's words reach the declared fields, and a refusal names them back as the API does.
    fields = step_fields("outcome", {"aiguillage.service_delivered_field": "served"})
    assert fields.in_pathway_words({"service_delivered": True, "service_date": "2026-03-09"}) == {
        "served": True, "service_date": "2026-03-09"}
    assert fields.in_default_words({"served": ["required"]}) == {"service_delivered": ["required"]}


def test_an_outcome_field_that_is_not_in_the_form_is_refused_naming_the_step_and_the_field(edit):
    problems = edit('value="served" />', 'value="delivered" />')
    assert problems == [("form.referral_field_missing", "Task_Report", (
        "this outcome step's form has no field 'delivered' to hold whether the service was delivered; add it (a "
        "boolean), or name the form field that holds it with aiguillage.service_delivered_field"))]
    problems = edit('value="how_it_went" />', 'value="how" />')
    assert ("form.referral_field_missing", "Task_Report",
            "aiguillage.outcome_note_field names 'how', which is no field of this step's form; name the form field "
            "that holds the note on the outcome") in problems


def test_without_declared_outcome_fields_the_form_needs_service_delivered(edit):
    problems = edit(OUTCOME_DECLARED, "")
    assert [(rule, element) for rule, element, _ in problems] == [("form.referral_field_missing", "Task_Report")]
    assert "no field 'service_delivered'" in problems[0][2]
    # The note is read when the form has it, and only then.
    assert edit('<camunda:formField id="served"', '<camunda:formField id="service_delivered"') == []


def test_outcome_fields_of_another_type_are_refused(edit):
    problems = edit('id="served" label="Served" type="boolean"', 'id="served" label="Served" type="string"')
    assert problems == [("form.referral_field_type", "Task_Report",
                         "field 'served' holds whether the service was delivered, but it is of type string; make it a "
                         "boolean field")]
    problems = edit('id="how_it_went" label="How it went" type="string"', 'id="how_it_went" label="How it went" type="long"')
    assert ("form.referral_field_type", "Task_Report",
            "field 'how_it_went' holds the note on the outcome, but it is of type long; make it a string field") in problems


def test_an_unmet_field_that_is_not_in_the_form_is_refused_naming_the_step_and_the_field(edit):
    problems = edit('value="gap_reason" />', 'value="gap" />')
    assert problems == [("form.referral_field_missing", "Task_NextStep", (
        "this unmet step's form has no field 'gap' to hold why the need is left unmet (left empty, the need is sent "
        "on); add it, or name the form field that holds it with aiguillage.unmet_reason_field"))]
    problems = edit('value="gap_note" />', 'value="note" />')
    assert ("form.referral_field_missing", "Task_NextStep",
            "aiguillage.unmet_note_field names 'note', which is no field of this step's form; name the form field "
            "that holds the note on the unmet need") in problems


def test_without_declared_unmet_fields_the_form_needs_unmet_reason(edit):
    problems = edit(UNMET_DECLARED, "")
    assert [(rule, element) for rule, element, _ in problems] == [("form.referral_field_missing", "Task_NextStep")]
    assert "no field 'unmet_reason'" in problems[0][2]
    assert edit('<camunda:formField id="gap_reason"', '<camunda:formField id="unmet_reason"') == []


def test_an_unmet_reason_the_engine_cannot_record_and_fields_of_another_type_are_refused(edit):
    problems = edit('<camunda:value id="full" name="Providers full" />', '<camunda:value id="too_far" name="Too far" />')
    assert problems == [("form.referral_field_type", "Task_NextStep", (
        "field 'gap_reason' holds why the need is left unmet, but its option 'too_far' is none of no_provider, full, "
        "out_of_area, refused_by_person, declined, no_response, other, so the engine would refuse it; give the "
        "options these ids"))]
    problems = edit('id="gap_reason" label="Why the need stays unmet (empty to send it on)" type="enum"',
                    'id="gap_reason" label="Why the need stays unmet (empty to send it on)" type="string"')
    assert ("form.referral_field_type", "Task_NextStep",
            "field 'gap_reason' holds why the need is left unmet, but it is of type string; make it an enum field") in problems
    problems = edit('id="gap_note" label="About the gap" type="string"', 'id="gap_note" label="About the gap" type="date"')
    assert ("form.referral_field_type", "Task_NextStep",
            "field 'gap_note' holds the note on the unmet need, but it is of type date; make it a string field") in problems
