"""An author's diagram: referral steps need a need, candidate groups and lanes say who (and which organisation), timers escalate as drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.pathways.escalation_paths import drawn_escalation
from engine.pathways.folder import load_source
from engine.pathways.groups import GroupRule, rules_of
from engine.pathways.validation import review, validate
from tests.pathways.worked_example import EXAMPLE, edited_example



@pytest.fixture
def example(tmp_path: Path) -> Path:
    return edited_example(tmp_path, "pathway.yaml", "id: small-referral", "id: small-referral")


def _edit(folder: Path, old: str, new: str, file: str = "pathway.bpmn") -> None:
    edited_example(folder.parent, file, old, new)


def test_the_worked_example_validates_without_a_warning():
    assert review(load_source(EXAMPLE)) == []


def test_a_send_step_with_no_need_is_refused_with_how_to_draw_one(example: Path):
    _edit(example, 'camunda:formField id="sector"', 'camunda:formField id="service"')
    _edit(example, "sector", "service", "i18n/fr.yaml")
    problems = validate(load_source(example))
    assert {(p.rule, p.element_id) for p in problems} == {
        ("referral.no_need", "Task_Send"), ("referral.no_need", "Task_Acknowledge")}
    message = next(p.message for p in problems if p.element_id == "Task_Send")
    assert "multi-instance sub-process over the case's needs" in message and "each need {sector, urgency}" in message


def test_a_sector_field_of_the_name_need_fields_declares_gives_the_need(example: Path):
    _edit(example, 'camunda:formField id="sector"', 'camunda:formField id="service"')
    _edit(example, "sector", "service", "i18n/fr.yaml")
    _edit(example, "id: small-referral", "id: small-referral\nneed_fields:\n  sector: service", "pathway.yaml")
    assert validate(load_source(example)) == []
    # The advice on how to draw a need speaks of the names the pathway declares.
    _edit(example, "  sector: service", "  sector: domain\n  needs: besoins", "pathway.yaml")
    message = next(p.message for p in validate(load_source(example)) if p.element_id == "Task_Send")
    assert 'camunda:collection="besoins"' in message and "each need {domain, urgency}" in message


def test_a_script_that_sets_the_sector_gives_the_need(example: Path):
    _edit(example, 'camunda:formField id="sector"', 'camunda:formField id="service"')
    _edit(example, "sector", "service", "i18n/fr.yaml")
    _edit(example, '<bpmn:sequenceFlow id="Flow_ToConsent" sourceRef="Task_Assess" targetRef="Task_Consent" />',
          '<bpmn:sequenceFlow id="Flow_ToConsent" sourceRef="Task_Assess" targetRef="Script_Sector" />'
          '<bpmn:scriptTask id="Script_Sector" name="Sector" scriptFormat="python"><bpmn:script>\n    sector = service\n'
          '</bpmn:script></bpmn:scriptTask><bpmn:sequenceFlow id="Flow_S" sourceRef="Script_Sector" targetRef="Task_Consent" />')
    assert not [p for p in validate(load_source(example)) if p.rule.startswith("referral.")]


def test_an_unknown_move_and_an_answer_to_a_referral_never_sent_are_refused(example: Path):
    _edit(example, '<camunda:property name="aiguillage.referral" value="send" />', '<camunda:property name="aiguillage.referral" value="sent" />')
    problems = [(p.rule, p.element_id) for p in validate(load_source(example))]
    assert ("referral.unknown_move", "Task_Send") in problems and ("referral.never_sent", "Task_Acknowledge") in problems


def test_groups_declared_in_pathway_yaml_are_roles_and_wrong_ones_are_refused(example: Path):
    _edit(example, 'name="Give the first appointment">', 'name="Give the first appointment" camunda:candidateGroups="clinic_desk">')
    warnings = [p for p in review(load_source(example)) if p.rule == "task.group_no_role"]
    assert len(warnings) == 1 and "groups: {clinic_desk: {role: provider_focal_point" in warnings[0].message
    _edit(example, "groups:\n", "groups:\n  clinic_desk: {role: provider_focal_point, organisation: provider}\n", "pathway.yaml")
    assert review(load_source(example)) == []
    _edit(example, "clinic_desk: {role: provider_focal_point, organisation: provider}", "clinic_desk: {role: provider_focal_point, organisation: Somewhere Else}", "pathway.yaml")
    [problem] = validate(load_source(example))
    assert problem.rule == "groups.invalid" and "case, provider, secretariat or an organisation's slug" in problem.message


def test_group_rules_read_role_like_names_with_the_organisation_the_role_works_for():
    rules = rules_of({"groups": {"Hotline": {"role": "caseworker", "organisation": "ligne-verte"}}})
    assert rules.rule_for("Prestataire") == GroupRule("provider_focal_point", "provider")
    assert rules.rule_for("coordination") == GroupRule("coordinator", "secretariat")
    assert rules.rule_for("Superviseur") == GroupRule("supervisor", "case")
    assert rules.rule_for("hotline") == GroupRule("caseworker", "ligne-verte", True)
    assert not rules.rule_for("legal_team").is_role


TIMERS = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
  <bpmn:process id="P">
    <bpmn:userTask id="Ack" camunda:candidateGroups="provider" />
    <bpmn:boundaryEvent id="Same" attachedToRef="Ack" cancelActivity="false"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="First" attachedToRef="Ack" cancelActivity="false"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="Second" attachedToRef="Ack" cancelActivity="false"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
    <bpmn:userTask id="Remind" camunda:candidateGroups="prestataire" />
    <bpmn:exclusiveGateway id="G" />
    <bpmn:userTask id="Supervise" camunda:candidateGroups="supervisor" />
    <bpmn:userTask id="Coordinate" camunda:candidateGroups="coordinator" />
    <bpmn:sequenceFlow id="F1" sourceRef="Same" targetRef="Remind" />
    <bpmn:sequenceFlow id="F2" sourceRef="First" targetRef="G" />
    <bpmn:sequenceFlow id="F3" sourceRef="G" targetRef="Supervise" />
    <bpmn:sequenceFlow id="F4" sourceRef="Second" targetRef="Coordinate" />
  </bpmn:process>
</bpmn:definitions>"""


def test_timers_leading_to_other_peoples_tasks_escalate_in_the_order_drawn():
    root = etree.fromstring(TIMERS)
    found = {event.get("id"): drawn_escalation(event) for event in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}boundaryEvent")}
    assert found["Same"].level is None  # "prestataire" is the provider's role too: a reminder drawn for the same people
    assert (found["First"].level, [t.get("id") for t in found["First"].opens]) == (1, ["Supervise"])
    assert (found["Second"].level, found["Second"].declared) == (2, False)


_TIMER = '<bpmn:boundaryEvent id="Timer_NotAcknowledged" name="Two days without acknowledgement" cancelActivity="false" attachedToRef="Task_Acknowledge">'
_EXPIRE = '<bpmn:extensionElements><camunda:properties><camunda:property name="aiguillage.referral" value="expire" /></camunda:properties></bpmn:extensionElements>'


def test_an_interrupting_timer_on_the_providers_step_may_expire_the_referral(example: Path):
    _edit(example, _TIMER, _TIMER.replace(' cancelActivity="false"', "") + _EXPIRE)
    assert not [p for p in review(load_source(example)) if p.rule.startswith("referral.")]
    root = etree.parse(str(example / "pathway.bpmn")).getroot()
    timer = next(e for e in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}boundaryEvent")
                 if e.get("id") == "Timer_NotAcknowledged")
    assert drawn_escalation(timer).level is None  # an expiry ends the referral; it escalates nothing


def _the_referral_problem(example: Path, rule: str, element_id: str) -> str:
    """The message of the one referral problem validation finds, which must be `rule` on `element_id`."""
    problems = [p for p in validate(load_source(example)) if p.rule.startswith("referral.")]
    assert [(p.rule, p.element_id) for p in problems] == [(rule, element_id)]
    assert problems[0].line is not None
    return problems[0].message


def test_expiry_on_a_non_interrupting_timer_is_refused(example: Path):
    _edit(example, _TIMER, _TIMER + _EXPIRE)
    assert "make it interrupting" in _the_referral_problem(example, "referral.expire_not_interrupting", "Timer_NotAcknowledged")


def test_expiry_on_a_task_is_refused_with_where_to_put_it(example: Path):
    _edit(example, '<camunda:property name="aiguillage.referral" value="acknowledge" />',
          '<camunda:property name="aiguillage.referral" value="expire" />')
    message = _the_referral_problem(example, "referral.expire_not_timer", "Task_Acknowledge")
    assert "this userTask is no timer" in message
    assert "interrupting boundary timer attached to the step" in message


def test_an_expiry_timer_that_finds_no_need_is_refused(example: Path):
    _edit(example, _TIMER, _TIMER.replace(' cancelActivity="false"', "") + _EXPIRE)
    _edit(example, 'camunda:formField id="sector"', 'camunda:formField id="service"')
    _edit(example, "sector", "service", "i18n/fr.yaml")
    rules = {(p.rule, p.element_id) for p in validate(load_source(example))}
    assert ("referral.no_need", "Timer_NotAcknowledged") in rules


_WITHDRAW = _EXPIRE.replace('value="expire"', 'value="withdraw"')
_TIMER_DEFINITION = '''      <bpmn:timerEventDefinition id="TimerEventDefinition_NotAcknowledged">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P2D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>'''


def _caught_escalation(example: Path, interrupting: bool) -> None:
    """The example's timer on the provider's step made a boundary event catching the escalation `reassigned`."""
    _edit(example, _TIMER, (_TIMER if not interrupting else _TIMER.replace(' cancelActivity="false"', "")) + _WITHDRAW)
    _edit(example, _TIMER_DEFINITION,
          '      <bpmn:escalationEventDefinition id="EscalationDef_Reassigned" escalationRef="Escalation_Reassigned" />')
    _edit(example, "</bpmn:definitions>",
          '  <bpmn:escalation id="Escalation_Reassigned" name="Reassigned" escalationCode="reassigned" />\n</bpmn:definitions>')


def test_an_interrupting_boundary_event_catching_an_escalation_may_withdraw_the_referral(example: Path):
    _caught_escalation(example, interrupting=True)
    assert not [p for p in validate(load_source(example)) if p.rule.startswith("referral.")]


def test_a_withdrawal_on_a_non_interrupting_event_is_refused(example: Path):
    _caught_escalation(example, interrupting=False)
    message = _the_referral_problem(example, "referral.withdraw_not_interrupting", "Timer_NotAcknowledged")
    assert "this boundary event is non-interrupting" in message


def test_a_withdrawal_on_a_timer_is_refused_as_an_expiry_by_another_name(example: Path):
    _edit(example, _TIMER, _TIMER.replace(' cancelActivity="false"', "") + _WITHDRAW)
    message = _the_referral_problem(example, "referral.withdraw_on_timer", "Timer_NotAcknowledged")
    assert "write aiguillage.referral = expire on it" in message


def test_a_withdrawal_on_a_task_is_refused_with_where_to_put_it(example: Path):
    _edit(example, '<camunda:property name="aiguillage.referral" value="acknowledge" />',
          '<camunda:property name="aiguillage.referral" value="withdraw" />')
    message = _the_referral_problem(example, "referral.withdraw_not_boundary", "Task_Acknowledge")
    assert "this userTask is no boundary event" in message


@pytest.mark.parametrize(("marker", "no_need"), [
    ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="needs" camunda:elementVariable="need" />', False),
    ("<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>"
     "</bpmn:multiInstanceLoopCharacteristics>", True),
])
def test_a_multi_instance_gives_its_steps_a_need_only_when_it_goes_over_a_list(example: Path, marker: str, no_need: bool):
    # Each item of a list of needs is a referral's need; a step run a number of times has no item to take one from.
    _edit(example, 'camunda:formField id="sector"', 'camunda:formField id="service"')
    _edit(example, "sector", "service", "i18n/fr.yaml")
    _edit(example, "      <bpmn:outgoing>Flow_ToAcknowledge</bpmn:outgoing>\n",
          f"      <bpmn:outgoing>Flow_ToAcknowledge</bpmn:outgoing>\n      {marker}\n")
    problems = {(p.rule, p.element_id) for p in validate(load_source(example))}
    assert (("referral.no_need", "Task_Send") in problems) is no_need
    assert ("referral.no_need", "Task_Acknowledge") in problems  # drawn outside it: no need either way


def test_the_runtime_reads_a_timer_through_the_pathways_groups_as_the_validator_does(example: Path):
    # Whether a timer escalates depends on who its task is for: the groups pathway.yaml declares decide it for
    # the cases that run, not only for the warnings the author reads.
    from engine.runtime.specs import load_specs

    def level_run():
        source = load_source(example)
        specs = load_specs(source.files, source.main, source.process_id)
        return specs.spec.task_specs["Timer_NotAcknowledged"].extensions.get("properties", {}).get("aiguillage.escalation")

    assert level_run() == "1"  # the provider's step, then the coordination's: an escalation
    _edit(example, "Coordination: {role: coordinator, organisation: secretariat}",
          "Coordination: {role: provider_focal_point, organisation: provider}", "pathway.yaml")
    assert "timer.alerts_no_one" in {p.rule for p in review(load_source(example))}
    assert level_run() is None
