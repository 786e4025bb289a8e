"""The consent steps name the fields of their forms the engine reads (`engine.pathways.step_fields`), and
pathway.yaml the fields the case takes its priority, risk level, region and closure reason from
(`engine.pathways.case_fields`): validation refuses a step whose form lacks a field the engine always reads
or one the step names, or has it of another type, naming the step and the field; and a `case_fields:`
declaration that is malformed, warning about a named field that nothing sets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.domain import CloseReason, Priority, RiskLevel
from engine.pathways.case_fields import CaseFields, case_fields_of
from engine.pathways.folder import load_source
from engine.pathways.step_fields import (
    ConsentFields, EscalationFields, OverrideRequestFields, SendFields, WithdrawalFields, fields_of_step,
)
from engine.pathways.validation import review
from pathway_fixtures import BROKEN, VALID, folder_editor

OWN_FIELDS = VALID / "own-case-fields"
# The Camunda way: a timer on the provider's step leads to a coordinator's follow-up, itself unmarked.
DRAWN_ESCALATION = BROKEN / "form.referral_field_missing" / "escalation-drawn-with-timer.bpmn"
NOTE_MISSING = ("aiguillage.escalation_note_field names 'follow_up_note', which is no field of this step's form; name "
                "the form field that holds the note on the escalation")


@pytest.fixture
def edit(tmp_path: Path):
    edited = folder_editor(tmp_path, OWN_FIELDS)
    return lambda *change: [(p.rule, p.element_id, p.message, p.severity) for p in edited(*change)]


def test_without_properties_the_marked_steps_keep_todays_names():
    assert fields_of_step({"aiguillage.consent": "record"}) == ConsentFields(
        "consent_given", "consent_given_by", "consent_method", "consent_language", "consent_scope", "child_assent")
    assert fields_of_step({"aiguillage.consent": "refused", "aiguillage.override_reason_field": " why "}) == (
        OverrideRequestFields("override_requested", "why", "override_justification"))
    assert fields_of_step({"aiguillage.consent": "withdraw"}) == WithdrawalFields("withdrawal_note")
    assert fields_of_step({"aiguillage.escalation": "2"}) == EscalationFields("escalation_action", "escalation_note")
    assert fields_of_step({"aiguillage.referral": "send"}) == SendFields("provider_id")
    assert fields_of_step({"aiguillage.stage": "closure"}) is None
    # The API's words reach the declared fields, and a refusal names them back as the API does.
    fields = fields_of_step({"aiguillage.consent": "record", "aiguillage.consent_given_field": "agreed"})
    assert fields.in_pathway_words({"consent_given": True, "consent_date": "2026-03-09"}) == {
        "agreed": True, "consent_date": "2026-03-09"}
    assert fields.in_default_words({"agreed": ["required"]}) == {"consent_given": ["required"]}


def test_without_a_declaration_the_case_keeps_todays_field_names():
    assert case_fields_of({}) == CaseFields("priority", "risk_level", "region", "closure_reason")
    fields = case_fields_of({"case_fields": {"priority": "how_pressing", "closure_reason": "why_closed"}})
    assert fields == CaseFields("how_pressing", "risk_level", "region", "why_closed")
    assert fields.facts_of({"how_pressing": "urgent", "priority": "emergency", "risk_level": "extreme",
                            "region": "x" * 80}) == {"priority": Priority.URGENT, "region": "x" * 64}
    assert fields.facts_of({"risk_level": "low"}) == {"risk_level": RiskLevel.LOW}
    assert (fields.close_reason_of({"why_closed": "deceased", "closure_reason": "needs_met"}),
            fields.close_reason_of({"why_closed": "consent_refused"})) == (CloseReason.DECEASED, CloseReason.OTHER)


def test_a_consent_field_the_step_names_that_is_not_in_the_form_is_refused_naming_the_step_and_the_field(edit):
    problems = edit('value="agreed" />', 'value="agrees" />')
    assert problems == [("form.referral_field_missing", "Task_Consent", (
        "this step's form has no field 'agrees' to hold whether consent was given; add it, or name the form field "
        "that holds it with aiguillage.consent_given_field"), "error")]
    problems = edit('value="may_share" />', 'value="share" />')
    assert ("form.referral_field_missing", "Task_Consent", (
        "aiguillage.consent_scope_field names 'share', which is no field of this step's form; name the form field "
        "that holds what consent lets providers receive"), "error") in problems


def test_without_its_property_a_consent_step_needs_todays_names_for_what_it_always_reads(edit):
    problems = edit('<camunda:property name="aiguillage.override_justification_field" value="override_because" />', "")
    assert problems == [("form.referral_field_missing", "Task_Refused", (
        "this step's form has no field 'override_justification' to hold the override's justification; add it, or "
        "name the form field that holds it with aiguillage.override_justification_field"), "error")]


def test_consent_fields_of_another_type_or_with_options_the_engine_refuses_are_refused(edit):
    problems = edit('id="agreed" label="The person agrees" type="boolean"',
                    'id="agreed" label="The person agrees" type="string"')
    assert ("form.referral_field_type", "Task_Consent",
            "field 'agreed' holds whether consent was given, but it is of type string; make it a boolean field",
            "error") in problems
    problems = edit('<camunda:value id="thumbprint" name="Thumbprint" />', '<camunda:value id="oral" name="Oral" />')
    assert ("form.referral_field_type", "Task_Consent", (
        "field 'how_agreed' holds how consent was given, but its option 'oral' is none of signature, thumbprint, "
        "verbal_witnessed, so the engine would refuse it; give the options these ids"), "error") in problems
    problems = edit('id="override_why" label="Why" type="enum"', 'id="override_why" label="Why" type="boolean"')
    assert ("form.referral_field_type", "Task_Refused", (
        "field 'override_why' holds why an override is requested, but it is of type boolean; make it a field of "
        "type enum or string"), "error") in problems


def test_a_withdrawal_note_field_is_checked_only_when_the_step_names_it(edit):
    problems = edit('value="why_withdrawn" />', 'value="why" />')
    assert problems == [("form.referral_field_missing", "Task_Withdraw", (
        "aiguillage.withdrawal_note_field names 'why', which is no field of this step's form; name the form field "
        "that holds the note on the withdrawal"), "error")]
    # Unnamed, its default name is read when the form has it: this form does not, and need not.
    assert edit('<camunda:property name="aiguillage.withdrawal_note_field" value="why" />', "") == []


def _drawn_escalation_problems(tmp_path: Path, *edits: tuple[str, str]) -> list:
    path = tmp_path / DRAWN_ESCALATION.name
    text = DRAWN_ESCALATION.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return [(p.rule, p.element_id, p.element_name, p.message, p.severity) for p in review(load_source(path))]


def test_an_escalation_task_a_timer_opens_is_checked_as_one_marked_so(tmp_path):
    problems = _drawn_escalation_problems(tmp_path)
    assert problems == [
        ("form.referral_field_missing", "Task_FollowUp", "Relancer le prestataire", NOTE_MISSING, "error")]
    # Marked, the same step gets the same answer, word for word.
    marked = '<camunda:property name="aiguillage.escalation" value="1" />\n          '
    assert _drawn_escalation_problems(tmp_path, ('<camunda:property name="aiguillage.escalation_note_field"',
                                                 marked + '<camunda:property name="aiguillage.escalation_note_field"')
                                      ) == problems
    # The default names are read too: a note field of another type is refused as on a marked step.
    assert _drawn_escalation_problems(
        tmp_path, ('<camunda:property name="aiguillage.escalation_note_field" value="follow_up_note" />', ""),
        ("</camunda:formField>\n        </camunda:formData>",
         '</camunda:formField>\n          <camunda:formField id="escalation_note" label="Note" type="boolean" />\n'
         "        </camunda:formData>")) == [
        ("form.referral_field_type", "Task_FollowUp", "Relancer le prestataire",
         "field 'escalation_note' holds the note on the escalation, but it is of type boolean; make it a string field",
         "error")]


def test_a_task_a_reminder_opens_for_the_same_people_is_no_escalation_task(tmp_path):
    problems = _drawn_escalation_problems(tmp_path, ('camunda:candidateGroups="coordinator"',
                                                     'camunda:candidateGroups="provider_focal_point"'))
    assert [(rule, element) for rule, element, *_ in problems] == [("timer.alerts_no_one", "Timer_NoAcknowledgement")]


def test_the_drawn_escalation_tasks_problem_reads_in_french_too():
    from webui.cli.language import in_cli_language, start_language
    from webui.pathways.problem_texts import worded_detail

    start_language(None, None, "fr")
    try:
        with in_cli_language():
            assert worded_detail(NOTE_MISSING) == (
                "aiguillage.escalation_note_field nomme 'follow_up_note', qui n'est pas un champ du formulaire de cette "
                "étape ; nommez le champ du formulaire qui porte la note sur l'escalade", True)
    finally:
        start_language(None, None, None)


def test_a_malformed_case_fields_declaration_is_refused(edit):
    problems = edit("  region: area\n", "  region: [area]\n  district: area\n", "pathway.yaml")
    assert sorted((rule, message) for rule, _, message, _ in problems) == [
        ("case_fields.invalid", "case_fields has an unknown key 'district'; known keys are priority, risk_level, "
                                "region, closure_reason"),
        ("case_fields.invalid", "case_fields.region must be one field id"),
    ]


def test_a_case_field_no_form_has_and_no_script_sets_is_a_warning(edit):
    problems = edit("  priority: how_pressing\n", "  priority: pressing\n", "pathway.yaml")
    assert problems == [("case_fields.unknown_field", None, (
        "case_fields.priority names 'pressing', which no form has and no script sets, so the case never takes this "
        "value from it"), "warning")]
    edit("  priority: pressing\n", "  priority: how_pressing\n", "pathway.yaml")
    # A closure reason a script sets is enough, with no form asking for it.
    assert edit('<camunda:formField id="why_closed"', '<camunda:formField id="why_it_closed"') == []
    assert [rule for rule, *_ in edit("<bpmn:script>why_closed = 'unreachable'</bpmn:script>",
                                      "<bpmn:script>closed = 'unreachable'</bpmn:script>")] == ["case_fields.unknown_field"]
